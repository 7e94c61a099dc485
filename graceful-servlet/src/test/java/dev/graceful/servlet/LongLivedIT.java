package dev.graceful.servlet;

import static dev.graceful.servlet.Drains.AT_MOST;
import static dev.graceful.servlet.Drains.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import dev.graceful.servlet.Servers.Container;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.RawHttpConnection;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * WebSockets and event streams on real Jetty and Tomcat servers, with real clients (the JDK's
 * WebSocket, raw sockets for the event stream): they are asked to leave when the listeners close,
 * and they do not hold the exit, even with a 30 s drain timeout.
 */
class LongLivedIT {

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Well under the drain timeout: a shutdown this quick was not held by the connection. */
    private static final Duration NOT_HELD = Duration.ofSeconds(10);

    private GracefulShutdown graceful;
    private KitServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private void start(Container container, Duration longLivedTimeout, Map<String, Servlet> servlets) throws Exception {
        graceful = GracefulShutdown.create(GracefulConfig.builder()
                .drainTimeout(DRAIN_TIMEOUT)
                .longLivedTimeout(longLivedTimeout)
                .build());
        server = Servers.startWithWebSocket(container, graceful, servlets, EchoEndpoint.class, "/ws");
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aWebSocketGetsGoingAwayAtTheListenersCloseAndDoesNotHoldTheExit(Container container) throws Exception {
        start(container, Duration.ofSeconds(20), servlets(false));
        Client client = new Client();
        WebSocket ws = connect(client);
        ws.sendText("hello", true).get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
        soon().until(() -> client.texts.contains("hello"));
        soon().until(() -> graceful.longLived("websocket").count() == 1);

        long start = System.nanoTime();
        ShutdownReport report = graceful.shutdown("test").get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(NOT_HELD);
        assertThat(client.closeCode.get(AT_MOST.toSeconds(), TimeUnit.SECONDS))
                .as("Close 1001, Going Away")
                .isEqualTo(1001);
        assertThat(client.closeReason).isEqualTo("server shutting down");
        assertThat(report.isClean()).isTrue();
        assertThat(report.longLivedAsked()).isEqualTo(1);
        assertThat(report.longLivedCut()).isZero();
        assertThat(graceful.longLived("websocket").count()).isZero();
    }

    @Test
    void onTomcatAWebSocketClientThatNeverAnswersTheCloseIsCutAtTheLongLivedTimeoutAndTheExitStaysClean()
            throws Exception {
        start(Container.TOMCAT, Duration.ofSeconds(1), servlets(false));
        try (RawWebSocket silent = RawWebSocket.open(server.port(), "/ws")) {
            soon().until(() -> graceful.longLived("websocket").count() == 1);

            long start = System.nanoTime();
            CompletableFuture<ShutdownReport> shutdown = graceful.shutdown("test");
            assertThat(silent.readClose().code()).isEqualTo(1001);
            assertThat(silent.awaitClosedByServer(AT_MOST)).as("cut").isTrue();
            ShutdownReport report = shutdown.get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("cut at the long-lived timeout (1 s), not at the drain timeout")
                    .isBetween(Duration.ofMillis(900), NOT_HELD);
            assertThat(report.longLivedCut())
                    .as("cut at the long-lived deadline")
                    .isEqualTo(1);
            assertThat(report.isClean())
                    .as("a cut does not change the exit status")
                    .isTrue();
            assertThat(graceful.longLived("websocket").count()).isZero();
        }
    }

    @Test
    void onJettyAWebSocketClientThatNeverAnswersTheCloseIsClosedRightAfterTheClose() throws Exception {
        // Jetty's core closes the connection as soon as a Close with a code other than 1000 is
        // written (CloseStatus.isAbnormal: 1001 is not "ordinary"): there is nothing left to cut.
        start(Container.JETTY, Duration.ofSeconds(20), servlets(false));
        try (RawWebSocket silent = RawWebSocket.open(server.port(), "/ws")) {
            soon().until(() -> graceful.longLived("websocket").count() == 1);

            long start = System.nanoTime();
            CompletableFuture<ShutdownReport> shutdown = graceful.shutdown("test");
            assertThat(silent.readClose()).isEqualTo(new RawWebSocket.Close(1001, "server shutting down"));
            assertThat(silent.awaitClosedByServer(AT_MOST))
                    .as("closed by Jetty")
                    .isTrue();
            ShutdownReport report = shutdown.get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("well before the long-lived timeout (20 s)")
                    .isLessThan(NOT_HELD);
            assertThat(report.longLivedAsked()).isEqualTo(1);
            assertThat(report.longLivedCut()).isZero();
            assertThat(report.isClean()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void anEventStreamEndsWithTheChunkedTerminatorAtTheListenersCloseAndDoesNotHoldTheExit(Container container)
            throws Exception {
        start(container, Duration.ofSeconds(20), servlets(false));
        assertEventStreamEndsInOrder();
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aDeclaredEventStreamIsEndedByTheApplicationAfterAWholeEvent(Container container) throws Exception {
        start(container, Duration.ofSeconds(20), servlets(true));
        assertEventStreamEndsInOrder();
    }

    /**
     * An application that writes one event after another, leaving no gap between two writes, and
     * never heard of graceful: Jetty's {@code complete()} aborts a response another thread is
     * writing (a truncated chunk, no terminator), so graceful closes the output first, which on Jetty
     * waits for the write in progress. (Tomcat's output does not order the two: see the next test.)
     */
    @Test
    void onJettyAnEventStreamWrittenBackToBackEndsAfterAWholeEventWhenGracefulEndsIt() throws Exception {
        start(Container.JETTY, Duration.ofSeconds(20), backToBack(false));
        assertEventStreamEndsInOrder();
    }

    /** The same writer, declared: it ends its stream itself after a whole event, on every container. */
    @ParameterizedTest
    @EnumSource(Container.class)
    void aDeclaredEventStreamWrittenBackToBackIsEndedByTheApplicationAfterAWholeEvent(Container container)
            throws Exception {
        start(container, Duration.ofSeconds(20), backToBack(true));
        assertEventStreamEndsInOrder();
    }

    private void assertEventStreamEndsInOrder() throws Exception {
        try (RawHttpConnection stream = RawHttpConnection.open(server.port())) {
            stream.send("GET", "/events", null);
            RawHttpConnection.Response head = stream.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-type")).startsWith("text/event-stream");
            StringBuilder events = new StringBuilder();
            while (!events.toString().contains("data: kit 2\n\n")) {
                events.append(stream.readChunk());
            }
            // Converted when the request's first dispatch returns: a writer without a gap between its
            // events can send the first ones before that.
            soon().untilAsserted(() -> {
                assertThat(graceful.longLived("sse").count()).isEqualTo(1);
                assertThat(graceful.tracker("http").inFlight())
                        .as("an event stream is not in-flight http work")
                        .isZero();
            });

            long start = System.nanoTime();
            CompletableFuture<ShutdownReport> shutdown = graceful.shutdown("test");
            String chunk;
            while ((chunk = stream.readChunk()) != null) {
                events.append(chunk);
            }
            ShutdownReport report = shutdown.get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(NOT_HELD);
            assertWholeEventsInSequence(events.toString());
            assertThat(stream.awaitClose(AT_MOST))
                    .as("then the connection closes in order")
                    .isEqualTo(RawHttpConnection.Close.EOF);
            assertThat(report.isClean()).isTrue();
            assertThat(report.longLivedAsked()).isEqualTo(1);
            assertThat(report.longLivedCut()).isZero();
        }
    }

    /** An event stream written without a gap between two events (a 1 µs interval), and a servlet on {@code /}. */
    private static Map<String, Servlet> backToBack(boolean declared) {
        return Map.of("/events", new EventsServlet(declared, Duration.ofNanos(1_000)), "/", new HttpServlet() {});
    }

    /** Every event whole ({@code data: kit N}, a blank line), numbered 1, 2, 3... with none missing. */
    private static void assertWholeEventsInSequence(String events) {
        assertThat(events).as("ends after a whole event").endsWith("\n\n");
        String[] each = events.substring(0, events.length() - 2).split("\n\n", -1);
        for (int i = 0; i < each.length; i++) {
            assertThat(each[i]).as("event %d of %d", i + 1, each.length).isEqualTo("data: kit " + (i + 1));
        }
    }

    /** The event stream, and a servlet on {@code /} (Tomcat answers 404 before any filter when nothing maps). */
    private static Map<String, Servlet> servlets(boolean declaredEvents) {
        return Map.of("/events", new EventsServlet(declaredEvents), "/", new HttpServlet() {});
    }

    private WebSocket connect(Client client) throws Exception {
        return http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), client)
                .get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
    }

    /** The JDK's WebSocket listener: answers a Close at once. */
    private static final class Client implements WebSocket.Listener {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        volatile String closeReason;
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeReason = reason;
            closeCode.complete(statusCode);
            return null; // the JDK answers with a Close at once
        }
    }
}
