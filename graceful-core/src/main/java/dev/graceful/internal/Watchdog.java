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
 *
 * <p>One deadline at a time, the earliest asked for, with the exit code its halt uses: 124 for an
 * overrun, or the code a second signal asked for once the exit it started has used its budget
 * ({@link #armExitWithin}), since there the halt is what the user asked for, not a failure.
 */
final class Watchdog {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final ProcessControl process;
    private final Supplier<String> outcome;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile String what = "";
    private volatile int code = ExitStatus.WATCHDOG.code();
    private volatile Supplier<String> asked;
    private final Runnable watch;
    private Thread thread;

    /**
     * @param outcome what the halt abandons, for its last line: the process cannot report after it
     */
    Watchdog(ProcessControl process, Supplier<String> outcome) {
        this.process = process;
        this.outcome = outcome;
        // Linked here, at startup, not when the shutdown arms it (see Rehearsal).
        this.watch = this::watch;
    }

    /**
     * Arms the watchdog, or moves an armed deadline earlier (never later).
     *
     * @param after how long from now the process may still live
     * @param what  what is being waited for, for the message
     */
    void armWithin(Duration after, String what) {
        arm(after, what, ExitStatus.WATCHDOG.code(), null);
    }

    /**
     * Arms the budget of an exit a signal asked for: when it has passed, the process halts with
     * {@code code}, whatever shutdown hooks are still running (never later than an armed deadline).
     *
     * @param after  how long from now the exit may take
     * @param what   the exit, for the message
     * @param code   the exit code the signal asked for
     * @param detail what the halt's line adds (empty when the report is already out)
     */
    void armExitWithin(Duration after, String what, int code, Supplier<String> detail) {
        arm(after, what, code, detail);
    }

    private synchronized void arm(Duration after, String what, int code, Supplier<String> asked) {
        long deadline = System.nanoTime() + after.toNanos();
        if (thread != null && deadline - deadlineNanos >= 0) {
            return;
        }
        this.what = what + " (allowed " + Durations.format(after) + ")";
        this.code = code;
        this.asked = asked;
        this.deadlineNanos = deadline;
        if (thread == null) {
            thread = new Thread(watch, "graceful-watchdog");
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
        Supplier<String> detail = asked;
        String message = detail == null ? haltMessage() : askedHaltMessage(detail);
        if (detail == null) {
            log.error(message);
        } else {
            log.warn(message);
        }
        // The logging backend may itself be wedged or already stopped by a shutdown hook.
        System.err.println(message);
        System.err.flush();
        process.halt(code);
    }

    /** The line of a halt a second signal asked for: no stacks, it is not a failure. */
    String askedHaltMessage(Supplier<String> detail) {
        StringBuilder running = new StringBuilder();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            // Shutdown hooks are non-daemon threads; so are the abandoned requests' own.
            if (!t.isDaemon() && t != Thread.currentThread() && !t.getName().equals("DestroyJavaVM")) {
                running.append(running.length() == 0 ? "" : ", ").append(t.getName());
            }
        }
        String extra;
        try {
            extra = detail.get();
        } catch (RuntimeException | LinkageError e) {
            extra = "the shutdown's state is unknown (" + e + ")";
        }
        return "graceful: " + what + " used its budget; halting the process with exit code " + code
                + " as the signal asked; still running, cut short: "
                + (running.length() == 0 ? "no non-daemon thread" : running)
                + (extra.isEmpty() ? "" : "; " + extra);
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
