package dev.graceful.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.testkit.ChildJvm;
import dev.graceful.testkit.RawHttpConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged example ({@code examples/bin/run spring-boot}, a repackaged Spring Boot jar) as a
 * real process receiving real signals: what the starter changes for a plain Spring Boot
 * application. The contract every example shares is checked by {@code examples/contract-tests}.
 */
class SpringBootExampleIT {

    private static final Path RUN = Path.of(System.getProperty("example.run", "../bin/run"))
            .toAbsolutePath()
            .normalize();
    private static final Path LOGS = Path.of(System.getProperty("example.logs", "target/example-logs"));
    private static final Duration AT_MOST = Duration.ofSeconds(30);
    private static final String CONTEXT_LOGGER =
            "org.springframework.boot.web.server.servlet.context.AnnotationConfigServletWebServerApplicationContext";

    @Test
    void sigtermFailsBothReadinessProbesAtOnceFinishesInFlightWorkThenExitsZeroBeforeSpringCloses() throws Exception {
        // Long enough for the probes below to be answered inside the readiness delay on a slow machine.
        // Spring's context logs "Closing ..." at DEBUG when its close begins.
        Map<String, String> closeLogged = Map.of("JAVA_OPTS", "-Dlogging.level." + CONTEXT_LOGGER + "=DEBUG");
        try (Example example = Example.start("sigterm", closeLogged, "--readiness-delay", "3s")) {
            CompletableFuture<RawHttpConnection.Response> work =
                    example.requestAsync("POST", "/work?ms=6000", "payload");
            example.awaitInFlight(1);

            example.signal("TERM");
            await().atMost(Duration.ofSeconds(2))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> example.status("/healthz") == 503);
            assertThat(example.status("/actuator/health/readiness"))
                    .as("Actuator agrees at once")
                    .isEqualTo(503);
            assertThat(example.status("/actuator/health/liveness")).isEqualTo(200);
            assertThat(example.status("/livez")).isEqualTo(200);
            assertThat(example.status("/"))
                    .as("served during the readiness delay")
                    .isEqualTo(200);

            RawHttpConnection.Response done = work.get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
            assertThat(done.status()).isEqualTo(200);
            assertThat(done.body()).isEqualTo("done dev\n");
            assertThat(example.awaitExit()).isZero();
            String log = example.output();
            assertThat(log).contains("drained 1, abandoned 0");
            assertThat(log.indexOf("Shutdown complete"))
                    .as("the drain ended before Spring began to close the context")
                    .isPositive()
                    .isLessThan(log.indexOf("Closing org.springframework"));
        }
    }

    @Test
    void aDrainThatTimesOutExitsNonZeroNamingTheStuckRequest() throws Exception {
        try (Example example = Example.start("timeout", Map.of(), "--drain-timeout", "500ms")) {
            example.holdOneRequest();
            example.signal("TERM");
            assertThat(example.awaitExit()).isEqualTo(3);
            assertThat(example.output()).contains("GET /work");
        }
    }

    @Test
    void aSecondSigintExitsPromptly() throws Exception {
        try (Example example = Example.start("second-signal", Map.of(), "--readiness-delay", "20s")) {
            example.holdOneRequest();
            example.signal("TERM");
            await().atMost(AT_MOST).until(() -> example.status("/healthz") == 503);
            long second = System.nanoTime();
            example.signal("INT");
            assertThat(example.awaitExit()).isEqualTo(130);
            assertThat(Duration.ofNanos(System.nanoTime() - second))
                    .as("prompt")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void withSignalsLeftToTheJvmTheContextCloseStillDrainsFirst() throws Exception {
        try (Example example = Example.start("jvm-signals", Map.of("JAVA_OPTS", "-Dgraceful.signals.enabled=false"))) {
            CompletableFuture<RawHttpConnection.Response> work = example.requestAsync("GET", "/work?ms=1500", null);
            example.awaitInFlight(1);
            example.signal("TERM");
            assertThat(work.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(example.awaitExit())
                    .as("the JVM's own exit code for SIGTERM")
                    .isEqualTo(143);
            assertThat(example.output())
                    .contains("Shutdown started (application context closed)")
                    .contains("drained 1, abandoned 0");
        }
    }

    /** One example process on a port of its own; its output also goes to a log file. */
    private static final class Example implements AutoCloseable {
        final int port;
        final ChildJvm jvm;

        private Example(int port, ChildJvm jvm) {
            this.port = port;
            this.jvm = jvm;
        }

        static Example start(String scenario, Map<String, String> env, String... options) throws IOException {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ChildJvm jvm = ChildJvm.command("bash", RUN.toString(), "spring-boot", "--port", Integer.toString(port))
                    .args(options)
                    .env(env)
                    .mergeStderr()
                    .logTo(LOGS.resolve(scenario + ".log"))
                    .start();
            Example example = new Example(port, jvm);
            try {
                // Spring Boot starts in seconds, more on a loaded two-core machine.
                await().atMost(Duration.ofSeconds(90))
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(50))
                        .failFast(jvm::assertAlive)
                        .until(() -> example.status("/healthz") == 200);
            } catch (RuntimeException | Error e) {
                jvm.close();
                throw e;
            }
            return example;
        }

        int status(String path) {
            try (RawHttpConnection c = RawHttpConnection.open(port)) {
                c.send("GET", path, null);
                return c.read().status();
            } catch (IOException refusedOrReset) {
                return 0;
            }
        }

        CompletableFuture<RawHttpConnection.Response> requestAsync(String method, String path, String body) {
            return CompletableFuture.supplyAsync(() -> {
                try (RawHttpConnection c = RawHttpConnection.open(port)) {
                    c.send(method, path, body);
                    return c.read();
                } catch (IOException e) {
                    throw new IllegalStateException(method + " " + path + " failed", e);
                }
            });
        }

        /** Sends a request that works for a minute, and waits until the example counts it in flight. */
        void holdOneRequest() {
            requestAsync("GET", "/work?ms=60000", null);
            awaitInFlight(1);
        }

        void awaitInFlight(int n) {
            await().atMost(AT_MOST)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        try (RawHttpConnection c = RawHttpConnection.open(port)) {
                            c.send("GET", "/healthz", null);
                            return c.read().body().contains("\"inFlight\":" + n);
                        }
                    });
        }

        void signal(String signal) throws IOException, InterruptedException {
            jvm.signal(signal);
        }

        int awaitExit() throws InterruptedException {
            return jvm.awaitExit(AT_MOST);
        }

        String output() {
            return jvm.output().text();
        }

        @Override
        public void close() {
            jvm.close();
        }
    }
}
