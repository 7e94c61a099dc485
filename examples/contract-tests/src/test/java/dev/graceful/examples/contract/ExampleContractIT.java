package dev.graceful.examples.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.testkit.RawHttpConnection;
import dev.graceful.testkit.RawHttpConnection.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds every example to the example-app contract (examples/README.md) by running
 * {@code examples/bin/run NAME} as a real process and sending it real signals.
 */
class ExampleContractIT {

    private static final Duration AT_MOST = Duration.ofSeconds(30);

    static Stream<String> examples() {
        return Arrays.stream(
                        System.getProperty("contract.examples", "jetty,tomcat").split(","))
                .map(String::trim);
    }

    static Stream<Arguments> badOptions() {
        return examples()
                .flatMap(name -> Stream.of(
                                List.of(name, "--port", "0"),
                                List.of(name, "--port", "65536"),
                                List.of(name, "--port", "http"),
                                List.of(name, "--port"),
                                List.of(name, "--drain-timeout", "5"),
                                List.of(name, "--drain-timeout", "0s"),
                                List.of(name, "--drain-timeout", "-1s"),
                                List.of(name, "--readiness-delay", "2x"),
                                List.of(name, "--readiness-probes", "101"),
                                List.of(name, "--readiness-probes", "-1"),
                                List.of(name, "--version", ""),
                                List.of(name, "--verbose", "1"),
                                List.of(name, "--threads", "green"),
                                List.of(name, "--threads"),
                                List.of("no-such-example"),
                                List.of())
                        .map(args -> Arguments.of(args)));
    }

    /** Starts an example, sends it a request that works for a minute, and once it is in flight SIGTERM. */
    static ExampleProcess termWithOneRequestHeld(String name, String scenario, String... options) throws Exception {
        ExampleProcess example = ExampleProcess.start(name, scenario, options);
        try {
            CompletableFuture.runAsync(() -> Http.statusOrZero(example.port, "GET", "/work?ms=60000"));
            awaitOneInFlight(example.port);
            example.termSentAt = example.jvm.signal("TERM");
            return example;
        } catch (Exception | AssertionError e) {
            example.close();
            throw e;
        }
    }

    private static void awaitOneInFlight(int port) {
        await().atMost(AT_MOST)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> Http.exchange(port, "GET", "/healthz", null).body().contains("\"inFlight\":1"));
    }

    @ParameterizedTest
    @MethodSource("badOptions")
    void badOptionsPrintTheUsageAndExitWith2(List<String> args) throws Exception {
        ExampleProcess.Result result = ExampleProcess.runToEnd(ExampleProcess.RUN, args.toArray(String[]::new));
        assertThat(result.exitCode()).as("run %s", args).isEqualTo(2);
        assertThat(result.stderr()).contains("usage: examples/bin/run NAME");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void anExampleNotBuiltNamesTheBuildCommand(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("examples/bin"));
        Files.copy(ExampleProcess.RUN, bin.resolve("run"));
        Files.createDirectories(tmp.resolve("examples/unbuilt"));
        Files.writeString(
                tmp.resolve("examples/unbuilt/pom.xml"),
                "<project><properties><example.name>unbuilt" + "</example.name></properties></project>");
        ExampleProcess.Result result = ExampleProcess.runToEnd(bin.resolve("run"), "unbuilt");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("mvn install -DskipTests").contains("graceful-example-unbuilt.jar");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void servesTheContractRoutes(String name) throws Exception {
        try (ExampleProcess example = ExampleProcess.start(name, "routes", "--version", "v7")) {
            int port = example.port;
            assertThat(example.jvm.handle().info().command())
                    .as("the script exec'd the JVM: its PID is the JVM's")
                    .hasValueSatisfying(c -> assertThat(c).endsWith("java"));

            Response hello = Http.exchange(port, "GET", "/", null);
            assertThat(hello.status()).isEqualTo(200);
            assertThat(hello.body().trim()).isEqualTo("hello from v7");
            assertThat(Http.exchange(port, "GET", "/work?ms=20", null).body().trim())
                    .isEqualTo("done v7");
            Response post = Http.exchange(port, "POST", "/work?ms=0", "x".repeat(50_000));
            assertThat(post.status()).isEqualTo(200);
            assertThat(post.body().trim()).isEqualTo("done v7");
            for (String bad : List.of(
                    "/work",
                    "/work?ms=",
                    "/work?ms=abc",
                    "/work?ms=-1",
                    "/work?ms=600001",
                    "/work?ms=99999999999999999999")) {
                assertThat(Http.exchange(port, "GET", bad, null).status())
                        .as(bad)
                        .isEqualTo(400);
            }
            assertThat(Http.exchange(port, "GET", "/healthz", null).status()).isEqualTo(200);
            assertThat(Http.exchange(port, "GET", "/livez", null).status()).isEqualTo(200);
            Response head = Http.exchange(port, "HEAD", "/healthz", null);
            assertThat(head.status()).isEqualTo(200);
            assertThat(Http.exchange(port, "HEAD", "/livez", null).status()).isEqualTo(200);
            assertThat(Http.exchange(port, "POST", "/healthz", "x").status()).isEqualTo(405);
            assertThat(Http.exchange(port, "DELETE", "/livez", null).status()).isEqualTo(405);
            assertThat(Http.exchange(port, "DELETE", "/", null).status()).isEqualTo(405);
            assertThat(Http.exchange(port, "PUT", "/work?ms=1", "x").status()).isEqualTo(405);
            assertThat(Http.exchange(port, "GET", "/healthz", null).status())
                    .as("405s changed nothing")
                    .isEqualTo(200);
            assertThat(Http.exchange(port, "GET", "/nope", null).status()).isEqualTo(404);

            example.jvm.signal("TERM");
            assertThat(example.jvm.awaitExit(AT_MOST)).isZero();
            assertThat(example.output()).contains("Shutdown complete");
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void sigtermLetsInFlightWorkFinishFailsReadinessAtOnceAndExitsZero(String name) throws Exception {
        // The delay leaves room for the checks below (readiness may take up to 1 s to fail, the
        // follow-ups need time of their own); the work outlasts the delay, so the drain waits for it.
        long delayMs = 3000;
        try (ExampleProcess example =
                ExampleProcess.start(name, "sigterm", "--readiness-delay", delayMs / 1000 + "s")) {
            int port = example.port;
            CompletableFuture<Long> completedAt = new CompletableFuture<>();
            CompletableFuture<Response> work = CompletableFuture.supplyAsync(() -> {
                try {
                    Response r = Http.exchange(port, "POST", "/work?ms=" + (delayMs + 1500), "payload");
                    completedAt.complete(System.nanoTime());
                    return r;
                } catch (IOException e) {
                    completedAt.completeExceptionally(e);
                    throw new IllegalStateException(e);
                }
            });
            awaitOneInFlight(port);

            long signalled = System.nanoTime();
            example.jvm.signal("TERM");
            await().atMost(AT_MOST)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> Http.statusOrZero(port, "GET", "/healthz") == 503);
            long readinessFailedMs = (System.nanoTime() - signalled) / 1_000_000;
            assertThat(readinessFailedMs).as("readiness fails at once").isLessThan(1000);
            assertThat(Http.statusOrZero(port, "GET", "/livez"))
                    .as("live while draining")
                    .isEqualTo(200);
            assertThat(Http.exchange(port, "GET", "/", null).status())
                    .as("served during the readiness delay")
                    .isEqualTo(200);
            assertThat((System.nanoTime() - signalled) / 1_000_000)
                    .as("the follow-ups above landed inside the readiness delay")
                    .isLessThan(delayMs);

            Response done = work.get(AT_MOST.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertThat(done.status()).isEqualTo(200);
            assertThat(done.body().trim()).isEqualTo("done dev");
            assertThat(example.jvm.awaitExit(AT_MOST)).isZero();
            long exitMs = (example.jvm.exitedAtNanos() - completedAt.join()) / 1_000_000;
            String line = String.format(
                    "%s: SIGTERM to readiness 503 <= %d ms; last in-flight completion to process exit %d ms",
                    name, readinessFailedMs, exitMs);
            timing(line);
            assertThat(exitMs).as("no selector thread delays the exit").isLessThan(2000);
            assertThat(example.output()).contains("drained 1, abandoned 0");
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void aDrainThatTimesOutExitsNonZero(String name) throws Exception {
        try (ExampleProcess example = termWithOneRequestHeld(name, "timeout", "--drain-timeout", "500ms")) {
            assertThat(example.jvm.awaitExit(AT_MOST)).isEqualTo(3);
            assertThat(example.output()).contains("GET /work");
        }
    }

    /**
     * The process is leaving: a forced close waits for no stuck request (Tomcat's stop used to wait
     * 2 s more for it). Issue 12 asks for drain timeout + 250 ms; the bound here is for a loaded machine.
     */
    @ParameterizedTest
    @MethodSource("examples")
    void aDrainThatTimesOutExitsRightAfterTheDrainTimeout(String name) throws Exception {
        try (ExampleProcess example =
                termWithOneRequestHeld(name, "timeout-bound", "--drain-timeout", "2s", "--readiness-delay", "0s")) {
            assertThat(example.jvm.awaitExit(AT_MOST)).isEqualTo(3);
            long exitMs = (example.jvm.exitedAtNanos() - example.termSentAt) / 1_000_000;
            timing(String.format("%s: SIGTERM with a request held, drain timeout 2s: exit after %d ms", name, exitMs));
            assertThat(exitMs).as("SIGTERM to exit, drain timeout 2s").isLessThan(3000);
        }
    }

    /**
     * Connections that never delivered a complete request head hold no work: the final close
     * closes them once they have sent nothing for 100 ms instead of waiting for them (for the
     * connection close timeout, 2 s, or half of it on Netty). Issue 12 asks for 100 ms after the last
     * completion; the bound here is for a loaded machine and still below the old wait on every example.
     */
    @ParameterizedTest
    @MethodSource("examples")
    void slowClientsStillSendingARequestHeadDoNotHoldTheExit(String name) throws Exception {
        try (ExampleProcess example =
                ExampleProcess.start(name, "slow-clients", "--drain-timeout", "3s", "--readiness-delay", "0s")) {
            int port = example.port;
            await().atMost(AT_MOST).until(() -> Http.statusOrZero(port, "GET", "/healthz") == 200);
            List<RawHttpConnection> slow = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    RawHttpConnection c = RawHttpConnection.open(port);
                    slow.add(c);
                    c.sendRaw("GET /work?ms=1 HTTP/1.1\r\nHo"); // and nothing more
                }
                List<CompletableFuture<Long>> completions = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    completions.add(CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    assertThat(Http.exchange(port, "POST", "/work?ms=1000", "x")
                                                    .status())
                                            .isEqualTo(200);
                                    return System.nanoTime();
                                } catch (IOException e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            task -> new Thread(task, "slow-clients-post").start())); // all 4 at once on any JDK
                }
                await().atMost(AT_MOST)
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(10))
                        .until(() -> Http.exchange(port, "GET", "/healthz", null)
                                .body()
                                .contains("\"inFlight\":4"));
                example.jvm.signal("TERM");
                long last = 0;
                for (CompletableFuture<Long> c : completions) {
                    last = Math.max(last, c.get(AT_MOST.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
                }
                assertThat(example.jvm.awaitExit(AT_MOST)).isZero();
                long exitMs = (example.jvm.exitedAtNanos() - last) / 1_000_000;
                timing(String.format("%s: 20 slow clients, last completion to exit %d ms", name, exitMs));
                assertThat(exitMs)
                        .as("last completion to exit, 20 slow clients")
                        .isLessThan(900);
                assertThat(example.output()).contains("drained 4, abandoned 0");
            } finally {
                for (RawHttpConnection c : slow) {
                    c.close();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void aSecondSignalExitsPromptly(String name) throws Exception {
        try (ExampleProcess example = termWithOneRequestHeld(name, "second-signal", "--readiness-delay", "10s")) {
            await().atMost(AT_MOST)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> Http.statusOrZero(example.port, "GET", "/healthz") == 503);
            long second = System.nanoTime();
            example.jvm.signal("INT");
            assertThat(example.jvm.awaitExit(AT_MOST)).isEqualTo(130);
            // Measured, not implied by the wait above: the readiness delay (10 s) and the work (60 s)
            // are still running, so only an exit that waits on neither comes in under half the delay.
            assertThat((example.jvm.exitedAtNanos() - second) / 1_000_000)
                    .as("second signal to exit, ms")
                    .isLessThan(5000);
            // From the child's own log line, so that neither kill(1) nor a slow poll counts. Issue 12
            // asks for 100 ms; the JVM's exit used to wait 300 ms (its fixed poll for threads blocked
            // in a system call, such as the servers' selectors), so 300 ms fails the old behaviour on
            // any machine and leaves room for a loaded one. The Spring examples also close their
            // context in Spring's own shutdown hook (bean destruction, the server's second stop):
            // 170-470 ms at a load average of 5-8 on two cores, so their bound is 600 ms, which
            // still fails a quiet period or a watchdog margin (seconds) waited out on the exit.
            long heard = example.jvm
                    .output()
                    .firstLine(l -> l.contains("Second signal (SIGINT)"))
                    .orElseThrow()
                    .nanos();
            long exitMs = (example.jvm.exitedAtNanos() - heard) / 1_000_000;
            timing(String.format("%s: second signal logged to exit %d ms", name, exitMs));
            assertThat(exitMs).as("second signal logged to exit").isLessThan(name.startsWith("spring-") ? 600 : 300);
        }
    }

    static void timing(String line) throws IOException {
        System.out.println("[contract] " + line);
        Files.writeString(
                ExampleProcess.LOGS.resolve("timings.txt"),
                line + "\n",
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * {@code --readiness-probes 2}: a 20 s readiness delay ends as soon as the one prober seen
     * before the SIGTERM (this test, polling {@code /healthz}) has been answered 503 twice, and
     * the log says why.
     */
    @ParameterizedTest
    @MethodSource("examples")
    void withReadinessProbesTheDelayEndsOnceTheProberSawReadinessFail(String name) throws Exception {
        try (ExampleProcess example =
                ExampleProcess.start(name, "probes", "--readiness-delay", "20s", "--readiness-probes", "2")) {
            int port = example.port;
            await().atMost(AT_MOST).until(() -> Http.statusOrZero(port, "GET", "/healthz") == 200);
            long signalled = System.nanoTime();
            example.jvm.signal("TERM");
            await().atMost(AT_MOST).until(() -> Http.statusOrZero(port, "GET", "/healthz") == 503);
            assertThat(Http.statusOrZero(port, "HEAD", "/readyz")).isEqualTo(503);

            assertThat(example.jvm.awaitExit(AT_MOST)).isZero();
            assertThat((example.jvm.exitedAtNanos() - signalled) / 1_000_000)
                    .as("well before the 20 s maximum")
                    .isLessThan(10_000);
            assertThat(example.output()).contains("Readiness delay ended after", "1 prober(s) saw 2 failing answer(s)");
        }
    }

    /**
     * A request sent on a kept-alive connection right behind another, as a proxy that reuses its
     * connections sends it, is answered, however fast the one before it was answered. Reactor Netty
     * 1.3.6 (Spring Boot 4.0.7's) and 1.3.7 stop reading such a connection (reactor-netty issue 4361,
     * fixed in 1.3.8, which the WebFlux example pins): the request sat unread until graceful's final
     * close answered it 503.
     */
    @ParameterizedTest
    @MethodSource("examples")
    void aKeptAliveConnectionAnswersARequestSentRightBehindAnother(String name) throws Exception {
        try (ExampleProcess example = ExampleProcess.start(name, "kept-alive");
                RawHttpConnection c = RawHttpConnection.open(example.port)) {
            String get = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            for (int i = 0; i < 3; i++) {
                c.sendRaw(get.formatted("/work?ms=50") + get.formatted("/"));
                assertThat(c.read().body().trim()).isEqualTo("done dev");
                assertThat(c.read().body().trim()).isEqualTo("hello from dev");
                c.send("GET", "/", null);
                assertThat(c.read().body().trim())
                        .as("round %d: the request after the two sent together", i)
                        .isEqualTo("hello from dev");
            }
        }
    }

    /**
     * Load balancers end their health checks with a TCP reset (HAProxy does, several times a second):
     * a reset at any point of a connection is routine, not worth a WARN or a stack trace. The example's
     * own threads stop with it, so Tomcat has none to warn about.
     */
    @ParameterizedTest
    @MethodSource("examples")
    void connectionsTheirPeersResetLogNoWarning(String name) throws Exception {
        try (ExampleProcess example = ExampleProcess.start(name, "resets", "--readiness-delay", "0s")) {
            int port = example.port;
            // Serving comes before readiness (Spring Boot marks it ready after its context started).
            await().atMost(AT_MOST).until(() -> Http.statusOrZero(port, "GET", "/healthz") == 200);
            String healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: HAProxy\r\n\r\n";
            // Only what the resets and the shutdown log counts: a container's own startup notices (Tomcat's
            // "creation of SecureRandom ... took 120 ms" on a loaded machine) are not about resets.
            int startupOutput = example.output().length();
            for (int i = 0; i < 3; i++) {
                RawHttpConnection.open(port).reset(); // before the first byte
                try (RawHttpConnection c = RawHttpConnection.open(port)) {
                    c.sendRaw(healthz);
                    assertThat(c.read().status()).isEqualTo(200);
                    c.reset(); // a health check that read its answer
                }
                try (RawHttpConnection c = RawHttpConnection.open(port)) {
                    c.sendRaw(healthz);
                    c.reset(); // one that did not wait for it
                }
                try (RawHttpConnection c = RawHttpConnection.open(port)) {
                    c.sendRaw("GET /work?ms=1 HTTP/1.1\r\nHo");
                    c.reset(); // mid-request head
                }
                try (RawHttpConnection c = RawHttpConnection.open(port)) {
                    c.send("GET", "/", null);
                    assertThat(c.read().status()).isEqualTo(200);
                    c.reset(); // an idle kept-alive connection
                }
                try (RawHttpConnection c = RawHttpConnection.open(port)) {
                    c.send("GET", "/work?ms=300", null);
                    c.reset(); // mid-request: the answer is written 300 ms later
                }
            }
            assertThat(Http.exchange(port, "GET", "/work?ms=600", null).status())
                    .as("answered after every reset request's answer was due")
                    .isEqualTo(200);

            example.jvm.signal("TERM");
            assertThat(example.jvm.awaitExit(AT_MOST)).isZero();
            assertThat(example.output().substring(startupOutput))
                    .contains("Shutdown complete")
                    .doesNotContain("WARN")
                    .doesNotContain("ERROR")
                    .doesNotContain("SEVERE")
                    .doesNotContain("\tat ")
                    .doesNotContain("failed to stop it");
        }
    }
}
