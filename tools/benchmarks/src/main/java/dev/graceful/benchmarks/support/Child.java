package dev.graceful.benchmarks.support;

import dev.graceful.testkit.ChildJvm;
import dev.graceful.testkit.RawHttpConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test: a {@link ChildJvm} (its output lines and its exit timestamped on this JVM's
 * clock, its output logged) on a free port of 127.0.0.1, started once it answers {@code GET /}.
 */
public record Child(ChildJvm jvm, int port) implements AutoCloseable {

    /** The placeholder of the port in a command. */
    public static final String PORT = "PORT";
    /** A heap's line of {@code GC.heap_info} ({@code total ... used NK}, Java 17 to 25); Metaspace's has no total. */
    private static final Pattern HEAP_USED = Pattern.compile("total [^\\n]*?used (\\d+)K");

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

    /** The heap in use right after a full GC, both through {@code jcmd}: what the process holds live. */
    public long liveHeapKb(String jcmd) throws IOException, InterruptedException {
        String pid = Long.toString(jvm.pid());
        BenchRun.run(jcmd, pid, "GC.run");
        String info = BenchRun.run(jcmd, pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        long used = m.results().mapToLong(r -> Long.parseLong(r.group(1))).sum();
        if (!m.reset().find()) {
            throw new IllegalStateException("no heap use in jcmd GC.heap_info:\n" + info);
        }
        return used;
    }

    /** A {@code kB} field of {@code /proc/PID/status}, such as {@code VmRSS} or {@code VmHWM}. */
    public long statusKb(String field) throws IOException {
        long pid = jvm.pid();
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith(field + ":"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", ""))) // "VmRSS:   1234 kB"
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + field + " in /proc/" + pid + "/status"));
    }

    @Override
    public void close() {
        jvm.close();
    }
}
