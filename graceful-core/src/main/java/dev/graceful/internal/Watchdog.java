package dev.graceful.internal;

import dev.graceful.Durations;
import dev.graceful.ExitStatus;
import dev.graceful.GracefulShutdown;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Halts the process when a shutdown overruns its deadline: a wedged JVM shutdown hook or a
 * {@code System.exit} deadlock must not leave a process that neither serves nor exits. Runs on
 * its own daemon thread and real time (not the sequence's scheduler), because the sequence
 * thread may be the one that is stuck.
 */
final class Watchdog {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final ProcessControl process;
    private final Supplier<String> outcome;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile String what = "";
    private Thread thread;

    /**
     * @param outcome what the halt abandons, for its last line: the process cannot report after it
     */
    Watchdog(ProcessControl process, Supplier<String> outcome) {
        this.process = process;
        this.outcome = outcome;
    }

    /**
     * Arms the watchdog, or moves an armed deadline earlier (never later).
     *
     * @param after how long from now the process may still live
     * @param what  what is being waited for, for the message
     */
    synchronized void armWithin(Duration after, String what) {
        long deadline = System.nanoTime() + after.toNanos();
        if (thread != null && deadline - deadlineNanos >= 0) {
            return;
        }
        this.what = what + " (allowed " + Durations.format(after) + ")";
        this.deadlineNanos = deadline;
        if (thread == null) {
            thread = new Thread(this::watch, "graceful-watchdog");
            thread.setDaemon(true);
            thread.start();
        } else {
            LockSupport.unpark(thread);
        }
    }

    private void watch() {
        while (true) {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            LockSupport.parkNanos(this, remaining);
        }
        String message = haltMessage();
        log.error(message);
        // The logging backend may itself be wedged or already stopped by a shutdown hook.
        System.err.println(message);
        System.err.flush();
        process.halt(ExitStatus.WATCHDOG.code());
    }

    String haltMessage() {
        String state;
        try {
            state = outcome.get();
        } catch (RuntimeException | LinkageError e) {
            state = "the shutdown's state is unknown (" + e + ")";
        }
        StringBuilder dump = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e :
                Thread.getAllStackTraces().entrySet()) {
            Thread t = e.getKey();
            dump.append("\n  \"")
                    .append(t.getName())
                    .append("\" ")
                    .append(t.getState())
                    .append(t.isDaemon() ? " daemon" : "");
            StackTraceElement[] frames = e.getValue();
            for (int i = 0; i < Math.min(frames.length, 8); i++) {
                dump.append("\n      at ").append(frames[i]);
            }
        }
        return "graceful watchdog: " + what + " overran; halting the process with exit code "
                + ExitStatus.WATCHDOG.code() + " (" + ExitStatus.WATCHDOG + "); " + state + ". Threads:" + dump;
    }
}
