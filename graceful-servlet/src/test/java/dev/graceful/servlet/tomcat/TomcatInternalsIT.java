package dev.graceful.servlet.tomcat;

import static dev.graceful.servlet.Drains.AT_MOST;
import static dev.graceful.servlet.Drains.soon;
import static dev.graceful.servlet.tomcat.TomcatInternals.ACCEPTOR;
import static dev.graceful.servlet.tomcat.TomcatInternals.ACCEPTOR_STATE;
import static dev.graceful.servlet.tomcat.TomcatInternals.ACCEPTOR_STOP;
import static dev.graceful.servlet.tomcat.TomcatInternals.BIND_STATE;
import static dev.graceful.servlet.tomcat.TomcatInternals.CLOSE_SERVER_SOCKET;
import static dev.graceful.servlet.tomcat.TomcatInternals.CLOSE_SOCKET;
import static dev.graceful.servlet.tomcat.TomcatInternals.GET_ENDPOINT;
import static dev.graceful.servlet.tomcat.TomcatInternals.KEEP_ALIVE;
import static dev.graceful.servlet.tomcat.TomcatInternals.LATCH_COUNT;
import static dev.graceful.servlet.tomcat.TomcatInternals.LIMIT_LATCH;
import static dev.graceful.servlet.tomcat.TomcatInternals.SERVER_SOCKET;
import static dev.graceful.servlet.tomcat.TomcatInternals.SET_SOCKET_OPTIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.LogCapture;
import dev.graceful.servlet.ModesServlet;
import dev.graceful.servlet.Servers;
import dev.graceful.testkit.KitClient;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.RawHttpConnection;
import java.lang.reflect.Field;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.Acceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every Tomcat member graceful reaches without a public API resolves on the pinned Tomcat, and each
 * fallback, forced by hiding one member (or by another version number), degrades as documented
 * with exactly one warning. The tests drive the participant's steps directly.
 */
class TomcatInternalsIT {

    private static final String PINNED = ServerInfo.getServerNumber();

    private final ModesServlet servlet = new ModesServlet();
    private final KitClient client = new KitClient(() -> this.server.port(), AT_MOST);
    private final List<RawHttpConnection> connections = new ArrayList<>();
    private final LogCapture logs = new LogCapture();
    private KitServer server;
    private Tomcat tomcat;
    private TomcatParticipant participant;

    @AfterEach
    void stop() throws Exception {
        logs.close();
        servlet.releaseAll();
        for (RawHttpConnection c : connections) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(TomcatInternals internals, Map<String, String> connectorProperties) throws Exception {
        GracefulShutdown graceful = GracefulShutdown.create();
        server = Servers.tomcat(graceful, Map.of("/m", servlet), connectorProperties, t -> {
            tomcat = t;
            participant = TomcatParticipant.builder(t)
                    .internals(internals)
                    .connectionCloseTimeout(Duration.ofSeconds(5))
                    .build();
        });
        graceful.markReady();
    }

    @Test
    void everyMemberResolvesOnThePinnedTomcat() {
        assertThat(TomcatInternals.verified(PINNED)).as("Tomcat %s", PINNED).isTrue();
        assertThat(new TomcatInternals(PINNED, Set.of()).missing()).isEmpty();
        assertThat(TomcatInternals.running().missing()).isEmpty();
        assertThat(logs.warnings()).isEmpty();
    }

    @Test
    void theDirectCloseParksTheAcceptorAndHandsTheBacklogToTomcat() throws Exception {
        start(TomcatInternals.running(), Map.of("maxConnections", "2"));
        List<RawHttpConnection> queued = fillTheBacklog();

        stopAccepting();
        assertThat(acceptor().isAlive()).as("parked until the connector stops").isTrue();
        for (RawHttpConnection c : queued) {
            assertThat(c.read().status()).as("a queued connection is served").isEqualTo(200);
        }
        assertThat(logs.warnings()).isEmpty();
    }

    @Test
    void theParkedAcceptorIsToldToEndSoTheConnectorsStopNeedNotWaitOutItsPauseLoop() throws Exception {
        start(TomcatInternals.running(), Map.of());
        Thread acceptor = acceptor();

        stopAccepting();
        assertThat(acceptor.isAlive()).as("parked until the connector stops").isTrue();
        assertThat(stopCalled())
                .as("Tomcat's acceptor told to end once released")
                .isTrue();

        closeIdle();
        soon().until(() -> !acceptor.isAlive());
        assertThat(logs.warnings()).isEmpty();
    }

    @Test
    void withoutTheAcceptorsStopTheListenerStillClosesDirectlyAndTheAcceptorEndsAtTheStop() throws Exception {
        TomcatInternals internals = new TomcatInternals(PINNED, Set.of(ACCEPTOR_STOP));
        assertThat(internals.missing()).containsExactly(ACCEPTOR_STOP);
        start(internals, Map.of());
        Thread acceptor = acceptor();

        stopAccepting();
        assertThat(acceptor.isAlive())
                .as("parked, as the direct close leaves it")
                .isTrue();
        assertThat(stopCalled()).isFalse();

        closeIdle();
        soon().until(() -> !acceptor.isAlive());
        assertThat(logs.warnings()).singleElement().asString().contains(ACCEPTOR_STOP, "10 ms");
    }

    /** Tomcat's own flag, read here only: whether the acceptor ends when it next looks. */
    private boolean stopCalled() throws Exception {
        Object endpoint =
                TomcatInternals.running().endpoint(tomcat.getConnector().getProtocolHandler());
        Field acceptorField = AbstractEndpoint.class.getDeclaredField("acceptor");
        acceptorField.setAccessible(true);
        Field stopCalled = Acceptor.class.getDeclaredField("stopCalled");
        stopCalled.setAccessible(true);
        return stopCalled.getBoolean(acceptorField.get(endpoint));
    }

    @ParameterizedTest
    @ValueSource(strings = {LIMIT_LATCH, ACCEPTOR, ACCEPTOR_STATE, BIND_STATE, CLOSE_SERVER_SOCKET})
    void withoutAMemberOfTheListenerCloseTomcatsOwnCloseIsUsed(String member) throws Exception {
        TomcatInternals internals = new TomcatInternals(PINNED, Set.of(member));
        assertThat(internals.missing()).containsExactly(member);

        assertTomcatsOwnCloseIsUsed(internals);

        assertThat(logs.warnings()).singleElement().asString().contains(member, "closeServerSocketGraceful()");
    }

    @Test
    void onATomcatVersionNotVerifiedTomcatsOwnCloseIsUsed() throws Exception {
        assertThat(TomcatInternals.verified("11.1.0.0")).isFalse();
        assertThat(TomcatInternals.verified("12.0.0.0")).isFalse();
        TomcatInternals internals = new TomcatInternals("11.1.0.0", Set.of());

        assertTomcatsOwnCloseIsUsed(internals);

        assertThat(logs.warnings()).singleElement().asString().contains("11.1.0.0", "closeServerSocketGraceful()");
    }

    /** Tomcat's own close stops its acceptor (the direct close parks it), and still refuses. */
    private void assertTomcatsOwnCloseIsUsed(TomcatInternals internals) throws Exception {
        start(internals, Map.of());
        CompletableFuture<HttpResponse<String>> held = client.getAsync("/m?mode=sync&id=held");
        soon().until(() -> servlet.isStarted("held"));
        Thread acceptor = acceptor();

        stopAccepting();
        soon().until(() -> !acceptor.isAlive());
        servlet.release("held");
        assertThat(held.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        closeIdle();
    }

    @ParameterizedTest
    @ValueSource(strings = {LATCH_COUNT, SERVER_SOCKET, SET_SOCKET_OPTIONS, CLOSE_SOCKET})
    void withoutAMemberOfTheHandOffConnectionsQueuedAtTheCloseAreNotServed(String member) throws Exception {
        start(new TomcatInternals(PINNED, Set.of(member)), Map.of("maxConnections", "2"));
        List<RawHttpConnection> queued = fillTheBacklog();

        stopAccepting();
        assertThat(acceptor().isAlive()).as("still closed directly").isTrue();
        for (RawHttpConnection c : queued) {
            assertThat(c.awaitClose(AT_MOST))
                    .as("reset with the socket, as documented")
                    .isIn(RawHttpConnection.Close.RESET, RawHttpConnection.Close.EOF);
        }
        assertThat(servlet.isStarted("queued-0")).isFalse();
        assertThat(logs.warnings()).singleElement().asString().contains(member, "are reset");
    }

    @Test
    void aResponseInProgressWhenTheListenerClosesAsksToClose() throws Exception {
        assertThat(responseInProgressWhenTheListenerCloses(TomcatInternals.running())
                        .connectionClose())
                .isTrue();
        assertThat(logs.warnings()).isEmpty();
    }

    @Test
    void withoutTheKeepAliveFieldAResponseInProgressDoesNotAskToClose() throws Exception {
        RawHttpConnection.Response r =
                responseInProgressWhenTheListenerCloses(new TomcatInternals(PINNED, Set.of(KEEP_ALIVE)));

        assertThat(r.connectionClose())
                .as("no Connection: close without the keep-alive field")
                .isFalse();
        closeIdle();
        assertThat(connections.get(0).awaitClose(AT_MOST))
                .as("closed at the final close")
                .isEqualTo(RawHttpConnection.Close.EOF);
        assertThat(logs.warnings()).singleElement().asString().contains(KEEP_ALIVE, "Connection: close");
    }

    /** An asynchronous request, answered after the listener closed (the filter adds nothing: not draining). */
    private RawHttpConnection.Response responseInProgressWhenTheListenerCloses(TomcatInternals internals)
            throws Exception {
        start(internals, Map.of());
        RawHttpConnection c = open();
        c.send("GET", "/m?mode=complete&id=async", null);
        soon().until(() -> servlet.isStarted("async"));

        stopAccepting();
        servlet.release("async");

        RawHttpConnection.Response r = c.read();
        assertThat(r.status()).isEqualTo(200);
        return r;
    }

    @Test
    void withoutTheEndpointIdleConnectionsCloseOnlyWhenTheConnectorStops() throws Exception {
        start(new TomcatInternals(PINNED, Set.of(GET_ENDPOINT)), Map.of());
        RawHttpConnection idle = open();
        idle.send("GET", "/healthz", null);
        assertThat(idle.read().status()).isEqualTo(200);
        Thread acceptor = acceptor();

        stopAccepting();
        soon().until(() -> !acceptor.isAlive());
        closeIdle();

        assertThat(idle.awaitClose(AT_MOST)).isEqualTo(RawHttpConnection.Close.EOF);
        assertThat(logs.warnings()).singleElement().asString().contains(GET_ENDPOINT, "when the connector stops");
        assertThat(logs.atLeast(Level.DEBUG)).contains("tomcat :" + server.port() + ": closed 0 idle connection(s)");
    }

    // ------------------------------------------------------------------ helpers

    /** Two held requests reach maxConnections=2; three more connections wait in the backlog. */
    private List<RawHttpConnection> fillTheBacklog() throws Exception {
        client.getAsync("/m?mode=sync&id=a");
        client.getAsync("/m?mode=sync&id=b");
        soon().until(() -> servlet.isStarted("a") && servlet.isStarted("b"));
        List<RawHttpConnection> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawHttpConnection c = open();
            c.send("GET", "/m?mode=sync&id=queued-" + i + "&after=0", null);
            queued.add(c);
        }
        return queued;
    }

    /** Tomcat's acceptor thread of the test's connector. */
    private Thread acceptor() {
        String name = TomcatInternals.running()
                        .endpoint(tomcat.getConnector().getProtocolHandler())
                        .getName() + "-Acceptor";
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no thread " + name));
    }

    /** The participant's first step; the listener is closed when it completes. */
    private void stopAccepting() throws Exception {
        participant.stopAccepting().get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
        assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close()).isInstanceOf(ConnectException.class);
    }

    private void closeIdle() throws Exception {
        participant.closeIdle().get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
    }

    private RawHttpConnection open() throws Exception {
        RawHttpConnection c = RawHttpConnection.open(server.port());
        connections.add(c);
        return c;
    }
}
