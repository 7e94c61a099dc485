package dev.graceful.benchmarks.support;

import dev.graceful.testkit.ChildJvm;
import dev.graceful.testkit.RawHttpConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under test: a {@link ChildJvm} (its output lines and its exit timestamped on this JVM's
 * clock, its output logged) on a free port of 127.0.0.1, started once it answers {@code GET /}.
 */
public record Child(ChildJvm jvm, int port) implements AutoCloseable {

    /** The placeholder of the port in a command. */
    public static final String PORT = "PORT";

    /** Starts {@code prefix} then {@code template} with a free port for {@link #PORT}; returns once it answers. */
    public static Child start(List<String> prefix, List<String> template, Path logFile)
            throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(prefix);
        template.forEach(s -> command.add(s.equals(PORT) ? Integer.toString(port) : s));
        ChildJvm jvm = ChildJvm.command(command.toArray(String[]::new))
                .mergeStderr()
                .logTo(logFile)
                .start();
        Child child = new Child(jvm, port);
        try {
            child.awaitOk();
        } catch (RuntimeException | InterruptedException e) {
            child.close();
            throw e;
        }
        return child;
    }

    /** Waits (2 minutes at most) until {@code GET /} answers 200, polling every 20 ms. */
    private void awaitOk() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!answersOk()) {
            if (!jvm.isAlive() || System.nanoTime() > deadline) {
                String what = jvm.isAlive()
                        ? "did not answer GET / with 200 within 2 minutes"
                        : "exited before answering GET /";
                throw new IllegalStateException(
                        "the server " + what + "; last lines:\n" + jvm.output().tail(20));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private boolean answersOk() {
        try {
            return status("/") == 200;
        } catch (IOException notListeningYet) {
            return false;
        }
    }

    /** The status of one {@code GET path}, on a fresh connection. */
    public int status(String path) throws IOException {
        try (RawHttpConnection c = RawHttpConnection.open(port)) {
            c.send("GET", path, null);
            return c.read().status();
        }
    }

    /** Loads the request path's classes (and the {@code /work} timer) before anything is measured, as traffic would. */
    public void warmUp() throws IOException {
        try (RawHttpConnection c = RawHttpConnection.open(port)) {
            for (int i = 0; i < 53; i++) {
                c.send("GET", i < 50 ? "/" : "/work?ms=1", null);
                c.read();
            }
        }
    }

    /** Milliseconds from {@code nanos} to the arrival of graceful's log line holding {@code text}; null without one. */
    public Double loggedAfter(long nanos, String text) {
        return jvm.output()
                .firstLine(l -> l.contains("GracefulShutdown") && l.contains(text))
                .map(l -> BenchRun.ms(l.nanos() - nanos))
                .orElse(null);
    }

    @Override
    public void close() {
        jvm.close();
    }
}
