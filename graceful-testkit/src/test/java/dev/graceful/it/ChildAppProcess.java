package dev.graceful.it;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A running {@link ChildApp} JVM: its output, its ports, and real signals. */
final class ChildProcess implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Process process;
    final List<String> stdout = new CopyOnWriteArrayList<>();
    final List<String> stderr = new CopyOnWriteArrayList<>();
    final int workPort;
    final int healthPort;
    private final CompletableFuture<Long> exitedAt;
    private final List<Thread> pumps;

    private ChildProcess(Process process) {
        this.process = process;
        pumps = List.of(pump(process.getInputStream(), stdout, "child-stdout"),
                pump(process.getErrorStream(), stderr, "child-stderr"));
        exitedAt = process.onExit().thenApply(p -> System.nanoTime());
        String ports = awaitLine("PORTS ");
        Matcher m = Pattern.compile("work=(\\d+) health=(\\d+)").matcher(ports);
        if (!m.find()) {
            throw new IllegalStateException(ports);
        }
        workPort = Integer.parseInt(m.group(1));
        healthPort = Integer.parseInt(m.group(2));
    }

    static ChildProcess start(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(jvmOptions);
        command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildApp.class.getName());
        command.addAll(List.of(args));
        return new ChildProcess(new ProcessBuilder(command).start());
    }

    static ChildProcess start(String... args) throws IOException {
        return start(List.of(), args);
    }

    private static Thread pump(java.io.InputStream in, List<String> sink, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.add(line);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    String awaitLine(String prefix) {
        await().atMost(Duration.ofSeconds(30))
                .failFast(() -> !process.isAlive() && stdout.stream().noneMatch(l -> l.startsWith(prefix)))
                .until(() -> stdout.stream().anyMatch(l -> l.startsWith(prefix)));
        return stdout.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    }

    void signal(String name) throws Exception {
        if ("TERM".equals(name)) {
            // ProcessHandle.destroy() is kill(pid, SIGTERM) without spawning kill(1), so timings
            // measured from here are the application's. (Process.destroy() would also close our
            // ends of the child's pipes and lose its output.)
            process.toHandle().destroy();
            return;
        }
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
    }

    void release(String id) throws Exception {
        get("/release?id=" + id);
    }

    void exit(int code) throws Exception {
        get("/exit?code=" + code);
    }

    private void get(String pathAndQuery) throws Exception {
        CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + workPort + pathAndQuery))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
    }

    CompletableFuture<HttpResponse<String>> hold(String id) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + workPort + "/hold?id=" + id))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    int health(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    String healthBody(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child did not exit within " + atMost + "\nstdout: " + stdout + "\nstderr: "
                    + String.join("\n", stderr));
        }
        for (Thread pump : pumps) {
            pump.join(5000);
        }
        return process.exitValue();
    }

    /** When the exit was observed, on this JVM's {@link System#nanoTime()}; call after {@link #awaitExit}. */
    long exitedAtNanos() {
        return exitedAt.join();
    }

    String output() {
        return String.join("\n", stdout) + "\n" + String.join("\n", stderr);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
