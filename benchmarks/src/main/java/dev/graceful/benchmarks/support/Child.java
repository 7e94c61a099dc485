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
    private final long startNanos = System.nanoTime();
    private final List<Line> lines = new ArrayList<>();
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile long exitNanos;
    private final PrintWriter log;

    private record Line(long nanos, String text) {
    }

    private Child(List<String> command, PrintWriter log) throws IOException {
        this.log = log;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Starts a command, standard error merged into standard output, its output copied to {@code logFile}. */
    public static Child start(List<String> command, Path logFile) throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
        log.println("$ " + String.join(" ", command));
        Child child = new Child(command, log);
        for (Runnable job : List.<Runnable>of(child::readLines, child::awaitExit)) {
            Thread t = new Thread(job, "child-" + child.process.pid());
            t.setDaemon(true);
            t.start();
        }
        return child;
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                long now = System.nanoTime();
                synchronized (lines) {
                    lines.add(new Line(now, line));
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

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return exited.getCount() > 0;
    }

    /** Sends SIGTERM; returns {@link System#nanoTime()} just before it was sent. */
    public long terminate() {
        long now = System.nanoTime();
        // Through the process handle, not Process.destroy(): on Unix that also closes this side of
        // the child's output pipe, and every line after the signal (the very lines that time the
        // shutdown) would be lost, while the child's writes fail.
        process.toHandle().destroy();
        return now;
    }

    /** Waits for the process to end and returns {@link System#nanoTime()} when it did; kills it after the timeout. */
    public long awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
        if (!exited.await(timeout, unit)) {
            process.destroyForcibly();
            throw new IllegalStateException("process " + process.pid() + " did not exit within " + timeout + " " + unit);
        }
        return exitNanos;
    }

    /** The exit code; the process must have exited. */
    public int exitCode() {
        return process.exitValue();
    }

    /** When the first line matching arrived, if one did. */
    public OptionalLong lineTime(Predicate<String> which) {
        synchronized (lines) {
            return lines.stream().filter(l -> which.test(l.text())).mapToLong(Line::nanos).findFirst();
        }
    }

    /** The last lines printed, for error messages. */
    public String tail(int n) {
        synchronized (lines) {
            StringBuilder sb = new StringBuilder();
            lines.subList(Math.max(0, lines.size() - n), lines.size()).forEach(l -> sb.append("  ").append(l.text()).append('\n'));
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
        log.close();
    }
}
