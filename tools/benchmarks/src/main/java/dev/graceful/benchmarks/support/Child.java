package dev.graceful.benchmarks.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process under test. Every line it prints is timestamped with {@link System#nanoTime()} the
 * moment it arrives (and written to a log file with its offset from the start), and the moment the
 * process ends is taken by a thread that does nothing but wait for it, so that "when did X happen
 * in the child" can be read off this JVM's clock: JVMs flush {@code System.out}/{@code err} per
 * line, and a pipe adds microseconds.
 */
public final class Child implements AutoCloseable {

    private final Process process;
    private final long startNanos;
    private final List<Line> lines = new ArrayList<>();
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile long exitNanos;
    private final PrintWriter log;

    /** One output line and when it arrived. */
    public record Line(long nanos, String text) {
    }

    private Child(Process process, long startNanos, PrintWriter log) {
        this.process = process;
        this.startNanos = startNanos;
        this.log = log;
    }

    /**
     * Starts a command, standard error merged into standard output.
     *
     * @param command the command
     * @param env     variables to add to the environment
     * @param logFile where to copy the output, each line with its arrival time
     * @return the running child
     * @throws IOException when it cannot start
     */
    public static Child start(List<String> command, Map<String, String> env, Path logFile) throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
        log.println("$ " + String.join(" ", command));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Child child = new Child(pb.start(), start, log);
        Thread reader = new Thread(child::readLines, "child-output-" + child.process.pid());
        reader.setDaemon(true);
        reader.start();
        Thread waiter = new Thread(child::awaitExit, "child-exit-" + child.process.pid());
        waiter.setDaemon(true);
        waiter.start();
        return child;
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                long now = System.nanoTime();
                synchronized (lines) {
                    lines.add(new Line(now, line));
                    lines.notifyAll();
                }
                log.printf(Locale.ROOT, "[%+10.3f ms] %s%n", (now - startNanos) / 1e6, line);
            }
        } catch (IOException e) {
            log.println("(output read failed: " + e + ")");
        }
    }

    private void awaitExit() {
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                // keep waiting: this thread's only job
            }
        }
        exitNanos = System.nanoTime();
        log.printf(Locale.ROOT, "[%+10.3f ms] (process exited with %d)%n", (exitNanos - startNanos) / 1e6,
                process.exitValue());
        exited.countDown();
    }

    /**
     * The process id.
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Whether it still runs.
     *
     * @return {@code true} until it exited
     */
    public boolean isAlive() {
        return exited.getCount() > 0;
    }

    /**
     * Sends SIGTERM.
     *
     * @return {@link System#nanoTime()} just before the signal was sent
     */
    public long terminate() {
        long now = System.nanoTime();
        // Through the process handle, not Process.destroy(): on Unix that also closes this side of
        // the child's output pipe, and every line after the signal (the very lines that time the
        // shutdown) would be lost, while the child's writes fail.
        process.toHandle().destroy();
        return now;
    }

    /**
     * Waits for the process to end.
     *
     * @param timeout how long at most
     * @param unit    its unit
     * @return {@link System#nanoTime()} when it ended
     * @throws InterruptedException when interrupted
     * @throws IllegalStateException when it is still running after the timeout (it is then killed)
     */
    public long awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
        if (!exited.await(timeout, unit)) {
            process.destroyForcibly();
            throw new IllegalStateException("process " + process.pid() + " did not exit within " + timeout + " " + unit);
        }
        return exitNanos;
    }

    /**
     * The exit code.
     *
     * @return the code; the process must have exited
     */
    public int exitCode() {
        return process.exitValue();
    }

    /**
     * When the first line matching arrived.
     *
     * @param which the match
     * @return its arrival time, or empty when no such line arrived
     */
    public OptionalLong lineTime(Predicate<String> which) {
        synchronized (lines) {
            for (Line l : lines) {
                if (which.test(l.text())) {
                    return OptionalLong.of(l.nanos());
                }
            }
        }
        return OptionalLong.empty();
    }

    /**
     * Waits for a line.
     *
     * @param which   the match
     * @param timeout how long at most
     * @param unit    its unit
     * @return the line
     * @throws InterruptedException when interrupted
     * @throws IllegalStateException when it did not come in time or the process ended first
     */
    public Line awaitLine(Predicate<String> which, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (which.test(lines.get(seen).text())) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !isAlive()) {
                    throw new IllegalStateException("process " + process.pid() + ": expected line not seen"
                            + (isAlive() ? " within " + timeout + " " + unit : " before it exited") + "; last lines:\n"
                            + tail(15));
                }
                lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
            }
        }
    }

    /**
     * The last lines printed, for error messages.
     *
     * @param n how many
     * @return them, one per line
     */
    public String tail(int n) {
        synchronized (lines) {
            StringBuilder sb = new StringBuilder();
            for (Line l : lines.subList(Math.max(0, lines.size() - n), lines.size())) {
                sb.append("  ").append(l.text()).append('\n');
            }
            return sb.toString();
        }
    }

    /** Kills the process if it still runs, and closes the log. */
    @Override
    public void close() {
        if (isAlive()) {
            process.destroyForcibly();
            try {
                exited.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.flush();
        log.close();
    }
}
