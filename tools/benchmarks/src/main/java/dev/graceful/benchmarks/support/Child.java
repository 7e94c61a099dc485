package dev.graceful.benchmarks.support;

import dev.graceful.testkit.RawHttpConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A server process under test, on a port of 127.0.0.1. Every line it prints is timestamped with
 * {@link System#nanoTime()} the moment it arrives (and written to a log file with its offset from
 * the start), and so is the moment the process ends (by the JDK's process reaper, which does
 * nothing else), so that "when did X happen in the child" can be read off this JVM's clock: JVMs
 * flush {@code System.out}/{@code err} per line, and a pipe adds microseconds.
 */
public final class Child implements AutoCloseable {

    /** The placeholder of the port in a command. */
    public static final String PORT = "PORT";

    private final Process process;
    private final int port;
    private final long startNanos = System.nanoTime();
    private final List<Line> lines = new ArrayList<>();
    private final PrintWriter log;
    private final CompletableFuture<Long> exitNanos;

    private record Line(long nanos, String text) {}

    private Child(List<String> command, int port, PrintWriter log) throws IOException {
        this.log = log;
        this.port = port;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        this.exitNanos = process.onExit().thenApply(p -> {
            long now = System.nanoTime();
            log.printf(Locale.ROOT, "[%+10.3f ms] (process exited with %d)%n", (now - startNanos) / 1e6, p.exitValue());
            return now;
        });
    }

    /**
     * Starts {@code prefix} then {@code template} with a free port in place of {@link #PORT},
     * its output copied to {@code logFile}, and waits until it answers {@code GET /} with 200.
     */
    public static Child start(List<String> prefix, List<String> template, Path logFile)
            throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(prefix);
        template.forEach(s -> command.add(s.equals(PORT) ? Integer.toString(port) : s));
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
        log.println("$ " + String.join(" ", command));
        Child child = new Child(command, port, log);
        Thread reader = new Thread(child::readLines, "child-output-" + child.process.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            child.awaitOk();
        } catch (RuntimeException | InterruptedException e) {
            child.close();
            throw e;
        }
        return child;
    }

    private void readLines() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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

    /** Waits (2 minutes at most) until {@code GET /} answers 200, polling every 20 ms. */
    private void awaitOk() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            try {
                if (status("/") == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!isAlive() || System.nanoTime() > deadline) {
                String what =
                        isAlive() ? "did not answer GET / with 200 within 2 minutes" : "exited before answering GET /";
                throw new IllegalStateException("the server " + what + "; last lines:\n" + tail(20));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** The status of one {@code GET path}, on a fresh connection. */
    public int status(String path) throws IOException {
        try (RawHttpConnection c = RawHttpConnection.open(port)) {
            c.send("GET", path, null);
            return c.read().status();
        }
    }

    /**
     * Loads the request path's classes (and the {@code /work} timer) before anything is measured,
     * as traffic would: 50 {@code GET /} and 3 {@code GET /work?ms=1} on one connection.
     */
    public void warmUp() throws IOException {
        try (RawHttpConnection c = RawHttpConnection.open(port)) {
            for (int i = 0; i < 53; i++) {
                c.send("GET", i < 50 ? "/" : "/work?ms=1", null);
                c.read();
            }
        }
    }

    public boolean isAlive() {
        return !exitNanos.isDone();
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
        try {
            return exitNanos.get(timeout, unit);
        } catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "process " + process.pid() + " did not exit within " + timeout + " " + unit);
        }
    }

    /** The exit code; the process must have exited. */
    public int exitCode() {
        return process.exitValue();
    }

    /** When the first line matching arrived, if one did. */
    public OptionalLong lineTime(Predicate<String> which) {
        synchronized (lines) {
            return lines.stream()
                    .filter(l -> which.test(l.text()))
                    .mapToLong(Line::nanos)
                    .findFirst();
        }
    }

    private String tail(int n) {
        synchronized (lines) {
            StringBuilder sb = new StringBuilder();
            lines.subList(Math.max(0, lines.size() - n), lines.size())
                    .forEach(l -> sb.append("  ").append(l.text()).append('\n'));
            return sb.toString();
        }
    }

    /** Kills the process if it still runs, and closes the log. */
    @Override
    public void close() {
        if (isAlive()) {
            process.destroyForcibly();
            exitNanos.completeOnTimeout(0L, 10, TimeUnit.SECONDS).join();
        }
        log.close();
    }
}
