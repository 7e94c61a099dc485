package dev.graceful.servlet.jetty;

import static dev.graceful.servlet.Drains.AT_MOST;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.LogCapture;
import dev.graceful.servlet.ModesServlet;
import dev.graceful.servlet.Servers;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.RawHttpConnection;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every Jetty member graceful reads that is not public API resolves on the pinned Jetty, and
 * without one (hidden by the test) the participant leaves connections alone, with exactly one
 * warning: they close when the server stops. The tests drive the participant's steps directly.
 */
class JettyInternalsIT {

    private final ModesServlet servlet = new ModesServlet();
    private final LogCapture logs = new LogCapture();
    private KitServer server;
    private JettyParticipant participant;

    @AfterEach
    void stop() throws Exception {
        logs.close();
        servlet.releaseAll();
        if (server != null) {
            server.close();
        }
    }

    private void start(JettyInternals internals) throws Exception {
        GracefulShutdown graceful = GracefulShutdown.create();
        server = Servers.jetty(
                graceful,
                Map.of("/m", servlet),
                s -> participant = JettyParticipant.builder(s)
                        .internals(internals)
                        .connectionCloseTimeout(Duration.ofMillis(500))
                        .build());
        graceful.markReady();
    }

    @Test
    void everyMemberResolvesOnThePinnedJetty() throws Exception {
        assertThat(new JettyInternals(Set.of()).missing()).isEmpty();
        assertThat(JettyInternals.running().missing()).isEmpty();

        start(JettyInternals.running());
        try (RawHttpConnection idle = RawHttpConnection.open(server.port())) {
            idle.send("GET", "/healthz", null);
            assertThat(idle.read().status()).isEqualTo(200);
            participant.stopAccepting().get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
            participant.closeIdle().get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
            assertThat(idle.awaitClose(AT_MOST)).isEqualTo(RawHttpConnection.Close.EOF);
        }
        assertThat(logs.atLeast(Level.INFO))
                .as("the idle connection was seen idle")
                .noneMatch(line -> line.contains("still busy"));
        assertThat(logs.warnings()).isEmpty();
    }

    @ParameterizedTest
    @FieldSource("dev.graceful.servlet.jetty.JettyInternals#MEMBERS")
    void withoutAMemberConnectionsAreLeftToCloseWhenTheServerStops(String member) throws Exception {
        JettyInternals internals = new JettyInternals(Set.of(member));
        assertThat(internals.missing()).containsExactly(member);
        start(internals);
        try (RawHttpConnection idle = RawHttpConnection.open(server.port())) {
            idle.send("GET", "/healthz", null);
            assertThat(idle.read().status()).isEqualTo(200);

            participant.stopAccepting().get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
            participant.closeIdle().get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

            assertThat(idle.awaitClose(AT_MOST))
                    .as("closed when the server stopped")
                    .isEqualTo(RawHttpConnection.Close.EOF);
        }
        assertThat(logs.atLeast(Level.INFO))
                .as("the idle connection was not seen idle")
                .contains("jetty :" + server.port() + ": 1 connection(s) still busy after 500ms; stopping anyway");
        assertThat(logs.warnings()).singleElement().asString().contains(member, "only when the server stops");
    }
}
