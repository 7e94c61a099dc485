package dev.graceful.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import dev.graceful.Tracker;
import dev.graceful.netty.NettyTestServer.Protocol;
import dev.graceful.netty.RawH2Connection.Frame;
import dev.graceful.netty.RawH2Connection.Type;
import dev.graceful.testkit.RawHttpConnection;
import dev.graceful.testkit.RawHttpConnection.Close;
import dev.graceful.testkit.RawHttpConnection.Response;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What graceful-netty does for long-lived connections beyond the conformance kit: the upgrade
 * request leaves the request count exactly once, a {@code 101} sent while draining stays an upgrade,
 * the application hears {@link GracefulNetty#GOING_AWAY} and may write a last event, its writes after
 * the end fail quietly, and an event stream the application ends itself leaves an ordinary
 * keep-alive connection behind. slf4j-simple writes to whatever {@code System.err} is at the time,
 * so the test captures it there.
 */
class LongLivedIT extends DrainITBase {

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private EventLoopGroup ownGroup;
    private final CompletableFuture<Throwable> lateWrite = new CompletableFuture<>();

    @BeforeEach
    void captureLogs() {
        originalErr = System.err;
        PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setErr(new PrintStream(
                new OutputStream() {
                    @Override
                    public void write(int b) {
                        tee.write(b);
                        originalErr.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        tee.write(b, off, len);
                        originalErr.write(b, off, len);
                    }
                },
                true,
                StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreLogs() {
        System.setErr(originalErr);
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void theUpgradeRequestLeavesTheRequestCountExactlyOnce() throws Exception {
        graceful = GracefulShutdown.create(config().build());
        server = NettyTestServer.start(graceful, app, Protocol.HTTP1);
        graceful.markReady();
        Tracker http = server.netty.tracker();

        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        echoed.complete(data.toString());
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        ws.sendText("once", true).get(10, TimeUnit.SECONDS);
        assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("once");
        await().atMost(AT_MOST).until(() -> graceful.longLived("websocket").count() == 1);
        assertThat(http.inFlight())
                .as("the upgrade request is no longer in flight")
                .isZero();

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        await().atMost(AT_MOST).until(() -> graceful.longLived("websocket").count() == 0);
        assertThat(http.inFlight())
                .as("not counted out a second time when the connection closed")
                .isZero();

        // The count still works: one request in, one out.
        CompletableFuture<java.net.http.HttpResponse<String>> held = HttpClient.newHttpClient()
                .sendAsync(
                        java.net.http.HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + server.port() + "/hold?id=after"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        awaitHeld("after");
        assertThat(http.inFlight()).isEqualTo(1);
        app.release("after");
        assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        await().atMost(AT_MOST).until(() -> http.inFlight() == 0);
    }

    @Test
    void anUpgradeAnsweredWhileDrainingKeepsConnectionUpgrade() throws Exception {
        graceful = GracefulShutdown.create(
                config().readinessDelay(Duration.ofSeconds(30)).build());
        server = NettyTestServer.start(graceful, app, Protocol.HTTP1);
        graceful.markReady();
        graceful.shutdown("test"); // the readiness delay: responses carry Connection: close from now on

        RawHttpConnection c = RawHttpConnection.open(server.port());
        toClose.add(c);
        c.sendRaw("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        Response head = c.readHead();

        assertThat(head.status()).isEqualTo(101);
        assertThat(head.header("connection")).isEqualToIgnoringCase("upgrade");
        assertThat(head.header("upgrade")).isEqualToIgnoringCase("websocket");
        await().atMost(AT_MOST).until(() -> graceful.longLived("websocket").count() == 1);
        assertThat(c.awaitClose(Duration.ofMillis(300)))
                .as("not closed as an idle connection")
                .isEqualTo(Close.OPEN);
    }

    @Test
    void aClientAnsweringTheCloseSeesOneCloseThenAnOrderlyEnd() throws Exception {
        graceful = GracefulShutdown.create(
                config().drainTimeout(Duration.ofSeconds(30)).build());
        server = NettyTestServer.start(graceful, app, Protocol.HTTP1);
        graceful.markReady();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) AT_MOST.toMillis());
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101");
            await().atMost(AT_MOST).until(() -> graceful.longLived("websocket").count() == 1);

            graceful.shutdown("test");
            int b0 = in.read();
            int len = in.read();
            assertThat(b0).as("FIN + Close").isEqualTo(0x88);
            byte[] payload = in.readNBytes(len);
            assertThat(((payload[0] & 0xff) << 8) | (payload[1] & 0xff)).isEqualTo(1001);
            assertThat(new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8))
                    .isEqualTo("server shutting down");

            // Answer it, masked as a client must (mask 0: the payload goes as it is).
            out.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, payload[0], payload[1]});
            out.flush();
            assertThat(in.read())
                    .as("nothing after the one Close: an orderly end")
                    .isEqualTo(-1);
        }
        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.longLivedCut()).isZero();
        assertThat(graceful.longLived("websocket").count()).isZero();
    }

    @Test
    void theConnectionClosesAsSoonAsTheClientAnswersTheClose() throws Exception {
        graceful = GracefulShutdown.create(
                config().drainTimeout(Duration.ofSeconds(30)).build());
        server = NettyTestServer.start(graceful, app, Protocol.HTTP1);
        graceful.markReady();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) AT_MOST.toMillis());
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(in)).startsWith("HTTP/1.1 101");
            await().atMost(AT_MOST).until(() -> graceful.longLived("websocket").count() == 1);

            graceful.shutdown("test");
            assertThat(in.read()).as("FIN + Close").isEqualTo(0x88);
            byte[] payload = in.readNBytes(in.read());

            out.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, payload[0], payload[1]});
            out.flush();
            long answered = System.nanoTime();
            assertThat(in.read()).as("an orderly end").isEqualTo(-1);
            long closedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
            // 500 ms: generous for a loaded machine; a close that waits for a timer takes far longer.
            assertThat(closedMillis)
                    .as("the server closed the connection %d ms after the client's Close", closedMillis)
                    .isLessThan(500);
        }
        ShutdownReport report = awaitReport();
        assertThat(report.longLivedCut()).isZero();
    }

    @Test
    void aJdkClientsConnectionClosesAsSoonAsItAnswersTheClose() throws Exception {
        graceful = GracefulShutdown.create(
                config().drainTimeout(Duration.ofSeconds(30)).build());
        server = NettyTestServer.start(graceful, app, Protocol.HTTP1);
        graceful.markReady();
        CompletableFuture<Long> closeReceived = new CompletableFuture<>();
        HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                        closeReceived.complete(System.nanoTime());
                        return null; // the client answers the Close now
                    }
                })
                .get(10, TimeUnit.SECONDS);
        await().atMost(AT_MOST).until(() -> graceful.longLived("websocket").count() == 1);

        graceful.shutdown("test");
        long received = closeReceived.get(AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
        await().atMost(AT_MOST)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> graceful.longLived("websocket").count() == 0);
        long closedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - received);
        assertThat(closedMillis)
                .as("the connection closed %d ms after the client got the Close", closedMillis)
                .isLessThan(500);
        assertThat(awaitReport().longLivedCut()).isZero();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed inside the head: " + sb);
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void theApplicationHearsGoingAwayWritesALastEventAndItsLaterWritesFailQuietly() throws Exception {
        graceful = GracefulShutdown.create(
                config().drainTimeout(Duration.ofSeconds(30)).build());
        int port = startStreamServer();
        graceful.markReady();
        RawHttpConnection c = RawHttpConnection.open(port);
        toClose.add(c);
        c.send("GET", "/events", null);
        Response head = c.readHead();
        assertThat(head.header("content-type")).isEqualTo("text/event-stream");
        assertThat(c.readChunk()).isEqualTo("data: 1\n\n");
        await().atMost(AT_MOST).until(() -> graceful.longLived("sse").count() == 1);

        long started = System.nanoTime();
        graceful.shutdown("test");
        assertThat(c.readChunk()).as("the last event, written on GOING_AWAY").isEqualTo("data: bye\n\n");
        assertThat(c.readChunk()).as("then the chunked terminator").isNull();
        assertThat(c.awaitClose(AT_MOST)).as("then an orderly close").isEqualTo(Close.EOF);

        assertThat(lateWrite.get(10, TimeUnit.SECONDS))
                .as("a write after the end fails")
                .isInstanceOf(ClosedChannelException.class);
        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.longLivedAsked()).isEqualTo(1);
        assertThat(report.longLivedCut()).isZero();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                .as("not held by the 30 s drain timeout")
                .isLessThan(10_000);
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("WARN");
    }

    @Test
    void anEventStreamTheApplicationEndsLeavesAnOrdinaryConnection() throws Exception {
        graceful = GracefulShutdown.create(config().build());
        int port = startStreamServer();
        graceful.markReady();
        RawHttpConnection c = RawHttpConnection.open(port);
        toClose.add(c);

        c.send("GET", "/short", null);
        Response stream = c.read();
        assertThat(stream.body()).isEqualTo("data: 1\n\ndata: 2\n\n");
        await().atMost(AT_MOST).until(() -> graceful.longLived("sse").count() == 0);

        c.send("GET", "/", null);
        Response next = c.read();
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.connectionClose()).isFalse();
        // The request is counted out when its response's write completes, which the client can see first.
        await().atMost(AT_MOST).until(() -> graceful.tracker("http").inFlight() == 0);
    }

    @Test
    void anHttp2EventStreamEndsWithEndStreamAndDoesNotHoldTheDrain() throws Exception {
        graceful = GracefulShutdown.create(
                config().drainTimeout(Duration.ofSeconds(30)).build());
        server = NettyTestServer.start(
                GracefulNetty.builder(graceful).http2PingTimeout(Duration.ofMillis(200)), app, Protocol.H2C);
        graceful.markReady();
        RawH2Connection c = RawH2Connection.open(server.port(), true);
        toClose.add(c);
        c.get(1, "/events");
        Frame head = c.await("HEADERS on 1", f -> f.type() == Type.HEADERS && f.streamId() == 1, AT_MOST);
        assertThat(head.headers().get("content-type")).hasToString("text/event-stream");
        assertThat(head.end()).isFalse();
        assertThat(c.await("DATA on 1", f -> f.type() == Type.DATA && f.streamId() == 1, AT_MOST)
                        .text())
                .isEqualTo("data: kit 1\n\n");
        await().atMost(AT_MOST).until(() -> graceful.longLived("sse").count() == 1);
        assertThat(server.netty.tracker().inFlight())
                .as("not an in-flight request")
                .isZero();

        long started = System.nanoTime();
        graceful.shutdown("test");
        Frame data;
        do {
            data = c.await("DATA on 1", f -> f.type() == Type.DATA && f.streamId() == 1, AT_MOST);
            assertThat(data.text()).as("whole events only").matches("(data: kit \\d+\n\n)?");
        } while (!data.end());
        assertThat(c.await(Type.CLOSED, AT_MOST).code()).as("closed orderly").isZero();
        assertThat(c.seen()).noneMatch(f -> f.type() == Type.RST_STREAM);

        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.longLivedAsked()).isEqualTo(1);
        assertThat(report.longLivedCut()).isZero();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                .as("not held by the 30 s drain timeout")
                .isLessThan(10_000);
        assertThat(graceful.longLived("sse").count()).isZero();
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("WARN");
    }

    // ------------------------------------------------------------------ a small streaming application

    private int startStreamServer() throws InterruptedException {
        ownGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel ch = NettyTestServer.http1(
                GracefulNetty.create(graceful), ownGroup, ownGroup, () -> new ChannelHandler[] {new StreamApp()});
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /** {@code /events}: one event, then a last one on GOING_AWAY; {@code /short}: two events and the end. */
    private final class StreamApp extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest r) {
                    switch (r.uri()) {
                        case "/events" -> {
                            ctx.write(streamHead());
                            ctx.writeAndFlush(event("data: 1\n\n"));
                        }
                        case "/short" -> {
                            ctx.write(streamHead());
                            ctx.write(event("data: 1\n\n"));
                            ctx.write(event("data: 2\n\n"));
                            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                        }
                        default -> {
                            DefaultFullHttpResponse ok = new DefaultFullHttpResponse(
                                    HttpVersion.HTTP_1_1,
                                    HttpResponseStatus.OK,
                                    Unpooled.copiedBuffer("ok".getBytes()));
                            ok.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
                            ctx.writeAndFlush(ok);
                        }
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == GracefulNetty.GOING_AWAY) {
                ctx.writeAndFlush(event("data: bye\n\n"));
                // Runs after the leaving task, which writes the terminator once this event is heard.
                ctx.executor()
                        .execute(() -> ctx.writeAndFlush(event("data: late\n\n"))
                                .addListener(f -> lateWrite.complete(f.cause())));
            }
            ctx.fireUserEventTriggered(evt);
        }

        private static HttpResponse streamHead() {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            return head;
        }

        private static DefaultHttpContent event(String text) {
            return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        }
    }
}
