package dev.graceful.spring.boot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.ExitStatus;
import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * WebSockets and event streams on real Spring Boot servers, with a 30 s drain timeout: they are
 * served during the readiness delay, asked to leave when it ends (Close 1001, the end of the
 * stream), do not hold the drain, and one that does not answer is cut at the long-lived deadline
 * without changing the exit status.
 */
class LongLivedConnectionsIT {

    private static final String[] PROPERTIES = {
        "graceful.readiness-delay=1s", "graceful.drain-timeout=30s", "graceful.long-lived-timeout=2s"
    };

    private final ExecutorService readers = Executors.newCachedThreadPool();
    private ConfigurableApplicationContext context;

    @AfterEach
    void close() throws InterruptedException {
        readers.shutdownNow();
        if (context != null) {
            BootServer.closeSoon(context);
        }
    }

    @ParameterizedTest
    @EnumSource(BootServer.class)
    void aWebSocketEchoesDuringTheDelayThenGetsGoingAwayAndDoesNotHoldTheExit(BootServer server) throws Exception {
        GracefulShutdown graceful = start(server);
        Client client = new Client();
        WebSocket ws = connect(client);
        ws.sendText("before", true).get(10, TimeUnit.SECONDS);
        assertThat(client.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("before");
        assertThat(graceful.inFlight())
                .as("an open session is not in-flight work")
                .isZero();

        CompletableFuture<ShutdownReport> shutdown = graceful.shutdown("test");
        ws.sendText("during the delay", true).get(10, TimeUnit.SECONDS);
        assertThat(client.texts.poll(10, TimeUnit.SECONDS)).isEqualTo("during the delay");

        assertThat(client.closeCode.get(15, TimeUnit.SECONDS)).isEqualTo(1001);
        ShutdownReport report = shutdown.get(15, TimeUnit.SECONDS);
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
        assertThat(report.longLivedAsked()).isEqualTo(1);
        assertThat(report.longLivedCut()).isZero();
        assertThat(report.totalDuration()).isLessThan(Duration.ofSeconds(10));
    }

    // Not Jetty: its core closes the connection as soon as its Close 1001 is written (by design),
    // so nothing is left to cut (see JettyClosesAtOnce).
    @ParameterizedTest
    @EnumSource(
            value = BootServer.class,
            names = {"TOMCAT", "REACTOR_NETTY"})
    void aWebSocketClientThatNeverAnswersTheCloseIsCutAtTheLongLivedDeadlineAndTheExitStaysClean(BootServer server)
            throws Exception {
        GracefulShutdown graceful = start(server);
        try (Socket socket = new Socket("127.0.0.1", BootServer.port(context))) {
            socket.setSoTimeout(20_000);
            // A raw client: it reads what the server sends and never answers.
            socket.getOutputStream()
                    .write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            Future<byte[]> received =
                    readers.submit(() -> socket.getInputStream().readAllBytes());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> graceful.longLived("websocket").count() == 1);

            ShutdownReport report = graceful.shutdown("test").get(20, TimeUnit.SECONDS);

            byte[] bytes = received.get(10, TimeUnit.SECONDS); // the end of the stream: the cut
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 101");
            byte[] frame = Arrays.copyOfRange(bytes, text.indexOf("\r\n\r\n") + 4, bytes.length);
            assertThat(frame.length).as("a Close frame").isGreaterThanOrEqualTo(4);
            assertThat(frame[0] & 0xFF).as("a Close frame").isEqualTo(0x88);
            assertThat(((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF))
                    .as("its code")
                    .isEqualTo(1001);
            assertThat(report.longLivedCut()).isEqualTo(1);
            assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
            assertThat(report.totalDuration())
                    .as("the 1 s delay, the 2 s long-lived deadline, not the 30 s drain timeout")
                    .isLessThan(Duration.ofSeconds(12));
        }
    }

    @ParameterizedTest
    @EnumSource(BootServer.class)
    void anEventStreamFlowsDuringTheDelayThenEndsInOrderAndDoesNotHoldTheExit(BootServer server) throws Exception {
        GracefulShutdown graceful = start(server);
        try (Socket socket = new Socket("127.0.0.1", BootServer.port(context))) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream()
                    .write("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Future<String> stream = readers.submit(() -> readToEnd(socket.getInputStream(), bytes));
            await().atMost(Duration.ofSeconds(10)).until(() -> text(bytes).contains("data:ev 1\n\n"));
            awaitHttpInFlightZero(graceful);

            CompletableFuture<ShutdownReport> shutdown = graceful.shutdown("test");
            int atShutdown = text(bytes).length();
            await("events flow during the 1 s delay")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> text(bytes).indexOf("data:ev", atShutdown) >= 0);
            ShutdownReport report = shutdown.get(15, TimeUnit.SECONDS);
            String received = stream.get(10, TimeUnit.SECONDS);

            assertThat(received).startsWith("HTTP/1.1 200").containsIgnoringCase("text/event-stream");
            assertThat(received).as("the chunked terminator, then the close").endsWith("\r\n0\r\n\r\n");
            assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
            assertThat(report.longLivedAsked()).isEqualTo(1);
            assertThat(report.longLivedCut()).isZero();
            assertThat(report.totalDuration()).isLessThan(Duration.ofSeconds(10));
        }
    }

    // Spring MVC: graceful asks the SseEmitter to complete, which waits for the send in progress;
    // completing the response under that send instead loses the terminator (Jetty aborts it).
    @ParameterizedTest
    @EnumSource(
            value = BootServer.class,
            names = {"TOMCAT", "JETTY"})
    void anEventStreamAskedToLeaveDuringASendBlockedOnTheClientEndsAfterThatEventWithTheTerminator(BootServer server)
            throws Exception {
        GracefulShutdown graceful = start(server);
        try (Socket socket = readingNothing("/bulk-events")) {
            await("the sender blocked on the client, which reads nothing")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> sendBlockedFor().toMillis() >= 300);

            CompletableFuture<ShutdownReport> shutdown = graceful.shutdown("test");
            await("the stream asked to leave")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> graceful.phase().compareTo(Phase.CLOSING_IDLE) >= 0);
            assertThat(sendBlockedFor()).as("the send still in progress").isPositive();
            String received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(received).startsWith("HTTP/1.1 200");
            assertThat(received).as("the chunked terminator, then the close").endsWith("\r\n0\r\n\r\n");
            String body = dechunk(received.substring(received.indexOf("\r\n\r\n") + 4));
            String last = body.substring(body.lastIndexOf("data:ev "));
            assertThat(last).as("the last event whole").matches("data:ev \\d+ x{65536}\n\n");
            ShutdownReport report = shutdown.get(15, TimeUnit.SECONDS);
            assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
            assertThat(report.longLivedAsked()).isEqualTo(1);
            assertThat(report.longLivedCut()).isZero();
        }
    }

    // A reactive event stream on Spring MVC is completed by the container: on the container's pool,
    // as Spring's response lock is held by the write blocked on the client.
    @ParameterizedTest
    @EnumSource(
            value = BootServer.class,
            names = {"TOMCAT", "JETTY"})
    void aReactiveEventStreamWhoseWriterIsBlockedOnTheClientDoesNotHoldGracefulsThread(BootServer server)
            throws Exception {
        GracefulShutdown graceful = start(server);
        try (Socket socket = readingNothing("/bulk-flux-events")) {
            CompletableFuture<ShutdownReport> shutdown =
                    shutdownOnceBlocked(graceful, LongLivedApps.MvcEvents.FLUX_TICKS_DROPPED);

            try (InputStream in = socket.getInputStream()) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException cut) {
                // Completed under the write in progress: the end is the container's, not graceful's.
            }
            ShutdownReport report = shutdown.get(15, TimeUnit.SECONDS);
            assertThat(report.longLivedAsked()).isEqualTo(1);
        }
    }

    // WebFlux on Reactor Netty: the connection ends the stream after the flush of the event in
    // progress; what is already queued for the client is delivered whole before the terminator.
    @ParameterizedTest
    @EnumSource(
            value = BootServer.class,
            names = {"REACTOR_NETTY"})
    void aWebFluxEventStreamAskedToLeaveWhileBlockedOnTheClientEndsWithWholeEventsAndTheTerminator(BootServer server)
            throws Exception {
        GracefulShutdown graceful = start(server);
        try (Socket socket = readingNothing("/bulk-events")) {
            CompletableFuture<ShutdownReport> shutdown =
                    shutdownOnceBlocked(graceful, LongLivedApps.WebFlux.BULK_TICKS_DROPPED);
            String received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(received).startsWith("HTTP/1.1 200");
            assertThat(received).as("the chunked terminator, then the close").endsWith("\r\n0\r\n\r\n");
            String body = dechunk(received.substring(received.indexOf("\r\n\r\n") + 4));
            String[] events = body.split("\n\n", -1);
            assertThat(events[events.length - 1])
                    .as("nothing after the last event's end")
                    .isEmpty();
            for (int i = 0; i < events.length - 1; i++) {
                assertThat(events[i])
                        .as("event %d whole, in sequence", i + 1)
                        .matches("data:ev " + (i + 1) + " x{65536}");
            }
            ShutdownReport report = shutdown.get(15, TimeUnit.SECONDS);
            assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
            assertThat(report.longLivedAsked()).isEqualTo(1);
            assertThat(report.longLivedCut()).isZero();
        }
    }

    /**
     * Once the stream's writer is blocked on the client (the ticks it asks for none of are dropped),
     * shuts down, and returns when graceful has asked the stream to leave and gone on.
     */
    private static CompletableFuture<ShutdownReport> shutdownOnceBlocked(
            GracefulShutdown graceful, AtomicLong dropped) {
        long before = dropped.get();
        await("the writer blocked on the client, which reads nothing: ticks dropped")
                .atMost(Duration.ofSeconds(10))
                .until(() -> dropped.get() - before >= 300);
        CompletableFuture<ShutdownReport> shutdown = graceful.shutdown("test");
        await("graceful asked the stream to leave and went on")
                .atMost(Duration.ofSeconds(10))
                .until(() -> graceful.phase().compareTo(Phase.CLOSING_IDLE) >= 0);
        return shutdown;
    }

    /** Asks for an event stream on a connection with a small receive buffer, and reads nothing yet. */
    private Socket readingNothing(String path) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(8192);
        socket.connect(new InetSocketAddress("127.0.0.1", BootServer.port(context)));
        socket.setSoTimeout(20_000);
        socket.getOutputStream()
                .write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    /** The body of a chunked message whose terminator was received. */
    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        for (int size; (size = Integer.parseInt(chunked.substring(at, chunked.indexOf("\r\n", at)), 16)) > 0; ) {
            int data = chunked.indexOf("\r\n", at) + 2;
            body.append(chunked, data, data + size);
            at = data + size + 2;
        }
        return body.toString();
    }

    private static Duration sendBlockedFor() {
        long started = LongLivedApps.MvcEvents.SEND_STARTED.get();
        return started == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - started);
    }

    private static void awaitHttpInFlightZero(GracefulShutdown graceful) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> graceful.longLived("sse").count() == 1);
        assertThat(graceful.inFlight())
                .as("an open event stream is not in-flight work")
                .isZero();
    }

    private GracefulShutdown start(BootServer server) {
        Class<?> app = server == BootServer.REACTOR_NETTY ? LongLivedApps.WebFlux.class : LongLivedApps.Mvc.class;
        context = server.startApplication(app, PROPERTIES);
        return context.getBean(GracefulShutdown.class);
    }

    private WebSocket connect(Client client) throws Exception {
        return HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + BootServer.port(context) + "/ws"), client)
                .get(10, TimeUnit.SECONDS);
    }

    /** Reads to the end of the stream (throws on a reset: it must end with an orderly close). */
    private static String readToEnd(InputStream in, ByteArrayOutputStream out) throws IOException {
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            synchronized (out) {
                out.write(buffer, 0, n);
            }
        }
        return text(out);
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Collects echoed texts and the close code. */
    private static final class Client implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null; // the JDK answers the Close
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.completeExceptionally(error);
        }
    }
}
