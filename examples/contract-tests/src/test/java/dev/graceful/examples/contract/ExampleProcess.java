package dev.graceful.examples.contract;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graceful.testkit.ChildJvm;
import dev.graceful.testkit.ChildOutput;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;

/** One {@code examples/bin/run NAME ...} child process serving on a port of its own; its output also goes to a log file. */
final class ExampleProcess implements AutoCloseable {

    static final Path RUN = Path.of(System.getProperty("contract.run", "../bin/run"))
            .toAbsolutePath()
            .normalize();
    static final Path LOGS = Path.of(System.getProperty("contract.logs", "target/contract-logs"));
    /** {@code platform} or {@code virtual}: the {@code --threads} every example runs with (pom.xml runs both). */
    static final String THREADS = System.getProperty("contract.threads", "platform");
    /**
     * JVM options for every example ({@code JAVA_OPTS}, before any a test adds): by default the client
     * compiler only and the serial collector, as the deploy kit runs them: on two cores a Spring Boot
     * example starts markedly sooner without C2 compiling beside it, and nothing graceful does depends on
     * the JIT or the collector. {@code -Dcontract.java-opts=} (empty) runs the examples with the JVM's defaults.
     */
    static final String JAVA_OPTS = System.getProperty("contract.java-opts", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
            .strip();

    final int port;
    final ChildJvm jvm;
    /** When SIGTERM was sent (see {@link ChildJvm#signal}), when a test recorded it. */
    volatile long termSentAt;

    private ExampleProcess(int port, ChildJvm jvm) {
        this.port = port;
        this.jvm = jvm;
    }

    /** Starts the example and waits until it serves (on the threads {@link #THREADS} names). */
    static ExampleProcess start(String name, String scenario, String... options) throws IOException {
        return start(name, scenario, Map.of(), options);
    }

    /** The same with environment variables on top of this JVM's (such as systemd's {@code NOTIFY_SOCKET}). */
    static ExampleProcess start(String name, String scenario, Map<String, String> env, String... options)
            throws IOException {
        return start(name, scenario, env, port -> Http.statusOrZero(port, "GET", "/livez") == 200, options);
    }

    /** Starts the example and waits until {@code serving} says it serves on its port. */
    static ExampleProcess start(String name, String scenario, IntPredicate serving, String... options)
            throws IOException {
        return start(name, scenario, Map.of(), serving, options);
    }

    private static ExampleProcess start(
            String name, String scenario, Map<String, String> env, IntPredicate serving, String... options)
            throws IOException {
        return start(name, scenario, env, serving, ExampleProcess::freePort, options);
    }

    /**
     * Starts the example on the next port {@code ports} gives. A port found free can be taken before
     * the child binds it (by another test's child, or as the local port of any connection on the
     * machine): an example that exits saying its port is in use is started again on the next one,
     * up to {@link #START_ATTEMPTS} times in all.
     */
    static ExampleProcess start(
            String name,
            String scenario,
            Map<String, String> env,
            IntPredicate serving,
            PortSource ports,
            String... options)
            throws IOException {
        assumeTrue(
                THREADS.equals("platform") || Runtime.version().feature() >= 21,
                "--threads " + THREADS + " needs Java 21 or later; this run is on Java "
                        + Runtime.version().feature());
        for (int attempt = 1; ; attempt++) {
            int port = ports.next();
            ChildJvm jvm = ChildJvm.command(
                            "bash", RUN.toString(), name, "--port", Integer.toString(port), "--threads", THREADS)
                    .args(options)
                    .env(withJavaOpts(env))
                    .mergeStderr()
                    .logTo(LOGS.resolve(name + "-" + scenario + ".log"))
                    .start();
            try {
                awaitServing(jvm, port, serving);
                return new ExampleProcess(port, jvm);
            } catch (RuntimeException | Error e) {
                boolean again = attempt < START_ATTEMPTS && portTaken(jvm);
                jvm.close();
                if (!again) {
                    throw e;
                }
            }
        }
    }

    /** How many ports {@link #start} tries before it gives up. */
    static final int START_ATTEMPTS = 3;

    /** Where the next port to try comes from. */
    @FunctionalInterface
    interface PortSource {
        int next() throws IOException;
    }

    private static void awaitServing(ChildJvm jvm, int port, IntPredicate serving) {
        await().atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20))
                .failFast(jvm::assertAlive)
                .until(() -> serving.test(port));
        if (THREADS.equals("virtual")) {
            // The example reads back what its server runs requests on: an option it ignored fails here.
            await().atMost(Duration.ofSeconds(10))
                    .alias("the example's log says it runs requests on virtual threads")
                    .until(() -> jvm.output().text().contains("requests on virtual threads"));
        }
    }

    /** Whether the child exited because its port was taken (each server says "already in use"). */
    private static boolean portTaken(ChildJvm jvm) {
        return !jvm.isAlive() && jvm.output().text().toLowerCase(Locale.ROOT).contains("already in use");
    }

    private static Map<String, String> withJavaOpts(Map<String, String> env) {
        if (JAVA_OPTS.isEmpty()) {
            return env;
        }
        Map<String, String> all = new HashMap<>(env);
        all.merge("JAVA_OPTS", JAVA_OPTS, (own, defaults) -> defaults + " " + own);
        return all;
    }

    /** Runs the script to completion (for option errors). */
    static Result runToEnd(Path script, String... args) throws IOException, InterruptedException {
        try (ChildJvm run =
                ChildJvm.command("bash", script.toString()).args(args).start()) {
            int exitCode = run.awaitExit(Duration.ofSeconds(30));
            return new Result(
                    exitCode,
                    run.output().text(ChildOutput.Source.STDOUT),
                    run.output().text(ChildOutput.Source.STDERR));
        }
    }

    record Result(int exitCode, String stdout, String stderr) {}

    String output() {
        return jvm.output().text();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        jvm.close();
    }
}
