package dev.graceful.examples.contract;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One {@code examples/bin/run NAME ...} child process; its output goes to a log file. */
final class ExampleProcess implements AutoCloseable {

    static final Path RUN = Path.of(System.getProperty("contract.run", "../bin/run")).toAbsolutePath().normalize();
    static final Path LOGS = Path.of(System.getProperty("contract.logs", "target/contract-logs"));

    final String name;
    final int port;
    final Process process;
    final Path log;
    final CompletableFuture<Long> exitedAtNanos;

    private ExampleProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
        this.exitedAtNanos = process.onExit().thenApply(p -> System.nanoTime());
    }

    /** Starts the example and waits until it serves. */
    static ExampleProcess start(String name, String scenario, String... options) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of("bash", RUN.toString(), name, "--port", Integer.toString(port)));
        command.addAll(List.of(options));
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve(name + "-" + scenario + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ExampleProcess example = new ExampleProcess(name, port, process, log);
        await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .failFast("the example exited: " + example.output(), () -> !process.isAlive())
                .until(() -> Http.statusOrZero(port, "GET", "/livez") == 200);
        return example;
    }

    /** Runs the script to completion (for option errors). */
    static Result runToEnd(Path script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("run " + String.join(" ", args) + " did not end");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + atMost + ":\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
