package dev.graceful.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fault paths, each in a real child JVM with real signals: what the process exits with and
 * what it says before it does. {@link SignalHandlingIT} holds the paths that go as planned.
 */
class FaultSuiteIT {

    private static final Duration EXIT = Duration.ofSeconds(30);

    private static void awaitInFlight(ChildAppProcess child, int n) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> child.healthBody("/livez").contains("\"inFlight\":" + n));
    }

    private static String awaitLog(ChildAppProcess child, String fragment) throws InterruptedException {
        return child.jvm.output().awaitLine(l -> l.contains(fragment), EXIT).text();
    }

    /** SIGTERM with one request held: it finishes, is counted as drained, and the exit is clean. */
    private static void drainsOneRequestAndExitsClean(ChildAppProcess child) throws Exception {
        CompletableFuture<HttpResponse<String>> held = child.hold("a");
        awaitInFlight(child, 1);
        child.jvm.signal("TERM");
        child.awaitDraining();
        child.release("a");
        assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(child.jvm.awaitExit(EXIT)).isZero();
        assertThat(child.output()).contains("drained 1, abandoned 0", "exit status 0 (CLEAN)");
    }

    private static void drainWithOneHeldRequest(ChildAppProcess child) {
        child.hold("a");
        awaitInFlight(child, 1);
    }

    @Test
    void aThirdSignalHaltsAnExitWedgedByAShutdownHook() throws Exception {
        try (ChildAppProcess child =
                ChildAppProcess.start("--hang-hook", "--drain-timeout", "60s", "--watchdog-margin", "60s")) {
            drainWithOneHeldRequest(child);
            child.jvm.signal("TERM");
            child.awaitDraining();
            child.jvm.signal("TERM");
            // The second signal's exit runs the hooks, and one of them never returns.
            child.awaitLine("HOOK hanging");
            assertThat(child.jvm.isAlive()).isTrue();

            child.jvm.signal("TERM");

            assertThat(child.jvm.awaitExit(EXIT)).isEqualTo(143);
            assertThat(child.output())
                    .contains(
                            "Second signal (SIGTERM) during the shutdown (AWAITING_IN_FLIGHT): exiting now with 143",
                            "Shutdown ended early by a second signal (SIGTERM)",
                            "abandoned 1",
                            "exit status 143 (FORCED_BY_SIGTERM)",
                            "SIGTERM again: halting now with exit code 143")
                    .doesNotContain("graceful watchdog");
        }
    }

    @Test
    void theWatchdogHaltsASequenceWedgedByAParticipantAndSaysWhatItAbandons() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start(
                "--wedge-participant", "--drain-timeout", "1s", "--readiness-delay", "0s", "--watchdog-margin", "1s")) {
            child.hold("stuck");
            awaitInFlight(child, 1);
            child.jvm.signal("TERM");
            child.awaitLine("WEDGED stopAccepting");

            // Worst case 0s + 1s + 2s (close) + 5s (task 'after'), then the 1s margin.
            assertThat(child.jvm.awaitExit(EXIT)).isEqualTo(124);
            assertThat(child.output())
                    .contains(
                            "graceful watchdog: the shutdown sequence (allowed 9s) overran; halting the process with "
                                    + "exit code 124 (WATCHDOG); the shutdown was in phase AWAITING_IN_FLIGHT with 1 "
                                    + "unit(s) still in flight, abandoned by the halt",
                            "http 'GET /hold?id=stuck' running for")
                    .doesNotContain("Shutdown complete");
        }
    }

    @Test
    void theWatchdogHaltsAnExitWedgedByAHookWhenTheApplicationCalledSystemExit() throws Exception {
        // No signal: the drain runs in graceful's JVM hook, and another hook never returns. The
        // JVM's exit gets watchdogMargin after the sequence, not the sequence's whole worst case
        // (here 30s + 2s + 5s).
        try (ChildAppProcess child = ChildAppProcess.start("--hang-hook", "--watchdog-margin", "1s")) {
            long exitCalled = System.nanoTime();
            child.exit(0);

            assertThat(child.jvm.awaitExit(EXIT)).isEqualTo(124);
            long haltedMs = TimeUnit.NANOSECONDS.toMillis(child.jvm.exitedAtNanos() - exitCalled);
            assertThat(haltedMs).as("halted a margin after the sequence").isLessThan(15_000);
            assertThat(child.output())
                    .contains(
                            "HOOK hanging",
                            "Shutdown started (JVM shutdown)",
                            "exit status 0 (CLEAN)",
                            "graceful watchdog: the JVM's exit after the shutdown sequence (allowed 1s) overran; "
                                    + "halting the process with exit code 124 (WATCHDOG); the shutdown had ended "
                                    + "(exit status 0, CLEAN, abandoned 0); the halt replaces that status");
        }
    }

    @Test
    void systemExitDuringTheDrainStillFinishesTheWorkAndTheLogSaysWhoseCodeEndsTheProcess() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--drain-timeout", "60s")) {
            CompletableFuture<HttpResponse<String>> held = child.hold("a");
            awaitInFlight(child, 1);
            child.jvm.signal("TERM");
            child.awaitDraining();

            child.exit(7);
            child.awaitLine("JVM-HOOK ");
            assertThat(held).as("the drain goes on inside graceful's hook").isNotDone();
            child.release("a");

            assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(child.jvm.awaitExit(EXIT)).isEqualTo(7);
            assertThat(child.output())
                    .contains(
                            "Shutdown started (SIGTERM)",
                            "drained 1, abandoned 0",
                            "The JVM was already exiting (System.exit or a signal graceful does not trap): the "
                                    + "process ends with that exit code, not with the report's 0 (CLEAN)");
        }
    }

    @Test
    void sigtermWhileStillStartingDrainsAndALateMarkReadyCannotUndoIt() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--ready-on-request", "--drain-timeout", "60s")) {
            assertThat(child.health("/healthz")).as("not ready while starting").isEqualTo(503);
            assertThat(child.health("/livez")).isEqualTo(200);
            CompletableFuture<HttpResponse<String>> held = child.hold("a");
            awaitInFlight(child, 1);

            child.jvm.signal("TERM");
            child.awaitDraining();
            assertThat(child.ready()).isEqualTo("markReady false");
            assertThat(child.health("/healthz")).isEqualTo(503);
            child.release("a");

            assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(child.jvm.awaitExit(EXIT)).isZero();
            assertThat(child.output()).contains("drained 1, abandoned 0", "exit status 0 (CLEAN)");
            assertThat(child.jvm.output().firstLine(l -> l.equals("PHASE READY")))
                    .isEmpty();
        }
    }

    @Test
    void sighupDuringTheDrainIsIgnoredAndTheDrainFinishes() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--reload", "--drain-timeout", "60s")) {
            CompletableFuture<HttpResponse<String>> held = child.hold("a");
            awaitInFlight(child, 1);
            child.jvm.signal("TERM");
            child.awaitDraining();

            child.jvm.signal("HUP");
            awaitLog(child, "Reload ignored: the service is shutting down (AWAITING_IN_FLIGHT)");
            assertThat(child.jvm.isAlive()).isTrue();
            child.release("a");

            assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(child.jvm.awaitExit(EXIT)).isZero();
            assertThat(child.output()).contains("drained 1, abandoned 0").doesNotContain("RELOADED");
        }
    }

    @Test
    void aReloadCallbackRegisteredAfterTheHandlersTrapsSighup() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--reload-late")) {
            assertThat(child.awaitLine("TRAPPED ")).doesNotContain("HUP");
            awaitLog(child, "SIGHUP now reloads (1 callback(s)) instead of ending the process");

            child.jvm.signal("HUP");
            child.awaitLine("RELOADED 1");
            assertThat(child.health("/healthz")).isEqualTo(200);
            assertThat(child.jvm.isAlive()).isTrue();

            child.jvm.signal("TERM");
            assertThat(child.jvm.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    void aReadinessCheckThatThrowsIsNamedAsFailingAndTheProcessStillDrains() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--check-throws")) {
            assertThat(child.health("/healthz")).isEqualTo(503);
            assertThat(child.healthBody("/healthz")).contains("\"failing\":[\"db\"]");
            assertThat(child.health("/livez")).isEqualTo(200);
            drainsOneRequestAndExitsClean(child);
        }
    }

    /**
     * A readiness check that never returns counts as failing once its time limit (500 ms by
     * default) has passed: the probe gets a 503 naming it, and neither liveness, nor the drain,
     * nor the exit waits on it.
     */
    @Test
    void aReadinessCheckThatHangsIsA503NamingItAndBlocksNeitherLivenessNorTheDrainNorTheExit() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--check-hangs")) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> probe = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + child.healthPort + "/healthz"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(probe.statusCode()).isEqualTo(503);
            assertThat(probe.body()).contains("\"failing\":[\"db\"]").contains("timed out after 500ms");
            child.awaitLine("CHECK hanging");
            assertThat(child.health("/livez")).isEqualTo(200);
            drainsOneRequestAndExitsClean(child);
        }
    }
}
