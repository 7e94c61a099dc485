package dev.graceful.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.loadgen.ScriptedServer.Action;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadGeneratorIT {

    private static LoadSummary run(LoadGenerator.Builder builder) throws InterruptedException {
        LoadGenerator load = builder.build().start();
        assertThat(load.await(Duration.ofSeconds(60))).as("the run finished").isTrue();
        LoadSummary summary = load.stop();
        System.out.print(summary);
        return summary;
    }

    /** A server that answers the first request on each connection and does {@code action} to the second. */
    private static ScriptedServer secondOnEachConnection(Action action) throws IOException {
        return ScriptedServer.start(r -> r.onConnection() == 2 ? action : Action.ANSWER);
    }

    private static LoadSummary tenOnOneConnection(ScriptedServer server, int postPercent) throws InterruptedException {
        return run(against(server).connections(1).postPercent(postPercent).maxRequests(10));
    }

    private static LoadGenerator.Builder against(ScriptedServer server) {
        return LoadGenerator.builder()
                .port(server.port())
                .rate(0)
                .seed(42)
                .work(Duration.ZERO)
                .slowPercent(0);
    }

    @Test
    void countsEveryRequestOnKeptAliveConnectionsAndTheVersionFromTheBody() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(r -> Action.ANSWER)) {
            LoadSummary summary = run(against(server).connections(4).maxRequests(300));

            assertThat(summary.requests()).isEqualTo(300);
            assertThat(summary.failures()).isZero();
            assertThat(summary.versions()).isEqualTo(Map.of("v7", 300L));
            assertThat(summary.gets()).isPositive();
            assertThat(summary.posts()).isPositive();
            assertThat(summary.gets() + summary.posts()).isEqualTo(300);
            assertThat(summary.resent()).isZero();
            assertThat(server.connections())
                    .as("one kept-alive connection per worker")
                    .isEqualTo(4);
            assertThat(server.completeRequests()).isEqualTo(300);
            assertThat(summary.p99Millis())
                    .isGreaterThanOrEqualTo(summary.p50Millis())
                    .isPositive();
        }
    }

    @Test
    void countsNon2xxAndBodiesNamingNoVersionAsFailuresByKind() throws Exception {
        ScriptedServer.Script script = new ScriptedServer.Script() {
            @Override
            public Action action(ScriptedServer.Request r) {
                return Action.ANSWER;
            }

            @Override
            public int status(ScriptedServer.Request r) {
                return r.overall() % 10 == 0 ? 502 : 200;
            }

            @Override
            public String body(ScriptedServer.Request r) {
                return r.overall() % 10 == 5 ? "<html>oops</html>" : "hello from v1";
            }
        };
        try (ScriptedServer server = ScriptedServer.start(script)) {
            LoadSummary summary = run(against(server).connections(3).maxRequests(200));

            assertThat(summary.requests()).isEqualTo(200);
            assertThat(summary.failures()).isEqualTo(40);
            assertThat(summary.failureKinds()).isEqualTo(Map.of("http-502", 20L, "unexpected-body", 20L));
            assertThat(summary.versions()).isEqualTo(Map.of("v1", 160L));
            assertThat(summary.failureSamples()).isNotEmpty().allMatch(s -> s.contains("502") || s.contains("oops"));
        }
    }

    @Test
    void resendsAGetThatAKeptAliveConnectionLostUnanswered() throws Exception {
        try (ScriptedServer server = secondOnEachConnection(Action.CLOSE_UNANSWERED)) {
            LoadSummary summary = tenOnOneConnection(server, 0);

            assertThat(summary.requests()).isEqualTo(10);
            assertThat(summary.failures()).isZero();
            // Every request after the first is the second on its connection: lost, then sent again.
            assertThat(summary.resentGets()).isEqualTo(9);
            assertThat(summary.resentPosts()).isZero();
        }
    }

    @Test
    void resendsAPostWhoseBodyWasStillHeldBackForContinue() throws Exception {
        try (ScriptedServer server = secondOnEachConnection(Action.CLOSE_UNANSWERED)) {
            LoadSummary summary = tenOnOneConnection(server, 100);

            assertThat(summary.failures()).isZero();
            assertThat(summary.resentPosts()).isEqualTo(9);
            assertThat(server.completeRequests())
                    .as("each POST body arrived exactly once")
                    .isEqualTo(10);
        }
    }

    @Test
    void neverResendsAPostWhoseBodyWasSent() throws Exception {
        try (ScriptedServer server = secondOnEachConnection(Action.CLOSE_AFTER_BODY)) {
            LoadSummary summary = tenOnOneConnection(server, 100);

            // Requests 2, 4, ... are each the second on their connection: the server had them whole.
            assertThat(summary.failures()).isEqualTo(5);
            assertThat(summary.failureKinds()).isEqualTo(Map.of("closed-before-response", 5L));
            assertThat(summary.resent()).isZero();
            assertThat(server.completeRequests()).isEqualTo(10);
        }
    }

    @Test
    void countsEveryLostRequestAsFailedWhenResendingIsOff() throws Exception {
        try (ScriptedServer server = secondOnEachConnection(Action.CLOSE_UNANSWERED)) {
            LoadSummary summary = run(
                    against(server).connections(1).postPercent(50).resend(false).maxRequests(10));

            assertThat(summary.failures()).isEqualTo(5);
            assertThat(summary.resent()).isZero();
            assertThat(summary.failureKinds().keySet()).allMatch(k -> k.endsWith("-before-response"));
        }
    }

    @Test
    void opensANewConnectionInsteadOfSendingOnOneTheServerClosed() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(r -> Action.ANSWER_THEN_CLOSE)) {
            // Paced: the server's close reaches the client long before its next request.
            LoadSummary summary =
                    run(against(server).connections(1).rate(50).postPercent(0).maxRequests(20));

            assertThat(summary.failures()).isZero();
            assertThat(summary.requests()).isEqualTo(20);
            // A close the client saw in time costs nothing; one it did not see costs a (counted) resend.
            assertThat(summary.staleConnections() + summary.resentGets()).isEqualTo(19);
            assertThat(server.connections()).isEqualTo(20);
        }
    }

    @Test
    void countsRefusedConnections() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        LoadSummary summary =
                run(LoadGenerator.builder().port(port).rate(0).connections(1).maxRequests(5));

        assertThat(summary.failures()).isEqualTo(5);
        assertThat(summary.failureKinds()).isEqualTo(Map.of("refused", 5L));
    }

    @Test
    void countsAResponseSlowerThanTheReadTimeoutAsFailed() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(r -> Action.HANG)) {
            LoadSummary summary = run(against(server)
                    .connections(1)
                    .postPercent(0)
                    .readTimeout(Duration.ofMillis(300))
                    .maxRequests(2));

            assertThat(summary.failures()).isEqualTo(2);
            assertThat(summary.failureKinds()).isEqualTo(Map.of("timeout", 2L));
        }
    }

    @Test
    void stopFinishesTheRequestsInFlightAndCountsThem() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(r -> Action.ANSWER)) {
            LoadGenerator load =
                    against(server).connections(2).rate(100).build().start();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> load.requests() >= 20);
            LoadSummary summary = load.stop();

            assertThat(summary.failures()).isZero();
            assertThat(summary.requests()).isEqualTo(server.completeRequests());
            assertThat(load.stop()).as("idempotent").isSameAs(summary);
        }
    }
}
