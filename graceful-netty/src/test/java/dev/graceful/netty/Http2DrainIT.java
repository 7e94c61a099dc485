package dev.graceful.netty;

import static dev.graceful.testkit.DrainAssertions.assertOneStuck;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.netty.RawH2Connection.Frame;
import dev.graceful.netty.RawH2Connection.Type;
import dev.graceful.testkit.InFlightFloor;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 (h2c with prior knowledge) against a real Netty server: the RFC 9113 two-step GOAWAY
 * seen frame by frame from the client, refusal of later streams, exact stream accounting, health,
 * the deadline, and a real Netty HTTP/2 client across a drain.
 */
class Http2DrainIT extends DrainITBase {

    private static final long NO_ERROR = Http2Error.NO_ERROR.code();

    private void start(GracefulConfig.Builder config, Duration pingTimeout) throws Exception {
        graceful = GracefulShutdown.create(config.build());
        server = NettyTestServer.start(
                GracefulNetty.builder(graceful).http2PingTimeout(pingTimeout), app, NettyTestServer.Protocol.H2C);
        graceful.markReady();
    }

    private RawH2Connection connect(boolean autoAckPing) throws InterruptedException {
        RawH2Connection c = RawH2Connection.open(server.port(), autoAckPing);
        toClose.add(c);
        return c;
    }

    /** A new connection whose stream 1 the application holds as {@code id}. */
    private RawH2Connection connectHolding(boolean autoAckPing, String id) throws InterruptedException {
        RawH2Connection c = connect(autoAckPing);
        c.get(1, "/hold?id=" + id);
        awaitHeld(id);
        return c;
    }

    @Test
    void theTwoStepGoAwayServesStreamsUpToTheLastProcessedIdAndRefusesLaterOnes() throws Exception {
        start(config(), Duration.ofSeconds(30)); // the second GOAWAY waits for our PING ack
        RawH2Connection c = connectHolding(false, "a");
        assertThat(graceful.inFlight()).isEqualTo(1);

        graceful.shutdown("it");

        Frame first = c.await(Type.GOAWAY, AT_MOST);
        assertThat(first.value()).as("first GOAWAY: last-stream-id 2^31-1").isEqualTo(Integer.MAX_VALUE);
        assertThat(first.code()).isEqualTo(NO_ERROR);
        Frame ping = c.await("PING", f -> f.type() == Type.PING && !f.end(), AT_MOST);
        // The first GOAWAY goes out at the announcement, the drain counts its units a moment later:
        // stream 3 comes after that count, so that the report below counts the held stream alone.
        await().atMost(AT_MOST).until(() -> graceful.phase() == Phase.AWAITING_IN_FLIGHT);

        // A stream the client opened before it saw the GOAWAY (here: before it acks the PING) is
        // still processed: that is what the round trip is for.
        c.get(3, "/");
        assertThat(c.awaitResponse(3, AT_MOST)).isEqualTo("200 hello");

        c.ackPing(ping.value());
        Frame second = c.await(Type.GOAWAY, AT_MOST);
        assertThat(second.value())
                .as("second GOAWAY: the last stream the server processed")
                .isEqualTo(3);
        assertThat(second.code()).isEqualTo(NO_ERROR);

        // A stream opened after the second GOAWAY is refused, not processed.
        c.get(5, "/hold?id=late");
        Frame refused =
                c.await("RST_STREAM on stream 5", f -> f.type() == Type.RST_STREAM && f.streamId() == 5, AT_MOST);
        assertThat(refused.code()).isEqualTo(Http2Error.REFUSED_STREAM.code());
        assertThat(app.isHeld("late")).isFalse();
        assertThat(graceful.inFlight()).as("the in-flight stream still counts").isEqualTo(1);

        // The stream in flight since before the drain completes, then the connection closes.
        app.release("a");
        assertThat(c.awaitResponse(1, AT_MOST)).isEqualTo("200 released a");
        Frame closed = c.await(Type.CLOSED, AT_MOST);
        assertThat(closed.code()).as("closed orderly, not reset").isZero();
        assertThat(c.seen())
                .as("nothing but the two GOAWAYs ends the connection")
                .filteredOn(f -> f.type() == Type.GOAWAY)
                .hasSize(2);
        assertThat(c.seen())
                .filteredOn(f -> f.type() == Type.RST_STREAM)
                .extracting(Frame::streamId)
                .containsExactly(5);

        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.inFlightAtDrainStart()).isEqualTo(1);
        assertThat(report.drained()).as("streams 1 and 3").isEqualTo(2);
        assertThat(graceful.inFlight()).isZero();
    }

    @Test
    void anIdleConnectionGetsBothGoAwaysAfterThePingRoundTripAndIsClosedWithoutAReset() throws Exception {
        start(config(), Duration.ofSeconds(30));
        RawH2Connection idle = connect(true);
        idle.get(1, "/");
        assertThat(idle.awaitResponse(1, AT_MOST)).isEqualTo("200 hello");
        RawH2Connection busy = connect(true);
        busy.get(1, "/hold?id=keep");
        awaitHeld("keep");

        graceful.shutdown("it");

        assertThat(idle.await(Type.GOAWAY, AT_MOST).value()).isEqualTo(Integer.MAX_VALUE);
        assertThat(idle.await("PING ack'd by us", f -> f.type() == Type.PING && !f.end(), AT_MOST)
                        .value())
                .isNotZero();
        assertThat(idle.await(Type.GOAWAY, AT_MOST).value()).isEqualTo(1);
        assertThat(idle.await(Type.CLOSED, AT_MOST).code()).as("orderly close").isZero();
        // Closed while the drain still waits for the other connection: the GOAWAYs start at the
        // announcement, the phase moves on to AWAITING_IN_FLIGHT a moment later (it can be just
        // after this close), and cannot move past it while "keep" is held.
        await().atMost(AT_MOST).until(() -> graceful.phase() == Phase.AWAITING_IN_FLIGHT);

        app.release("keep");
        assertThat(busy.awaitResponse(1, AT_MOST)).isEqualTo("200 released keep");
        assertThat(busy.await(Type.CLOSED, AT_MOST).code()).isZero();
        assertThat(awaitReport().isClean()).isTrue();
        assertThat(server.group().isTerminated())
                .as("event loops stopped after the drain")
                .isTrue();
    }

    @Test
    void withoutAPingAckTheSecondGoAwayFollowsAfterThePingTimeout() throws Exception {
        start(config(), Duration.ofMillis(300));
        RawH2Connection c = connectHolding(false, "a");
        long start = System.nanoTime();
        graceful.shutdown("it");

        assertThat(c.await(Type.GOAWAY, AT_MOST).value()).isEqualTo(Integer.MAX_VALUE);
        Frame second = c.await(Type.GOAWAY, AT_MOST);
        assertThat(second.value()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        app.release("a");
        assertThat(c.awaitResponse(1, AT_MOST)).isEqualTo("200 released a");
        assertThat(awaitReport().isClean()).isTrue();
    }

    @Test
    void streamAccountingIsExactWithResetsPostsAndHealthAcrossConnections() throws Exception {
        start(config().drainTimeout(Duration.ofSeconds(20)), Duration.ofSeconds(1));
        InFlightFloor floor = InFlightFloor.watch(graceful);

        int connections = 3;
        int perConnection = 20;
        List<RawH2Connection> cs = new ArrayList<>();
        for (int n = 0; n < connections; n++) {
            RawH2Connection c = connect(true);
            cs.add(c);
            for (int s = 0; s < perConnection; s++) {
                int stream = 1 + 2 * s;
                String id = "c" + n + "s" + stream;
                if (s % 4 == 0) {
                    c.request(stream, "POST", "/hold?id=" + id, "body-" + id);
                } else {
                    c.get(stream, "/hold?id=" + id);
                }
            }
            // Health probes on the same connections are answered and never counted.
            c.get(1 + 2 * perConnection, "/healthz");
            c.head(3 + 2 * perConnection, "/livez");
        }
        for (int n = 0; n < connections; n++) {
            for (int s = 0; s < perConnection; s++) {
                awaitHeld("c" + n + "s" + (1 + 2 * s));
            }
            assertThat(cs.get(n).awaitResponse(1 + 2 * perConnection, AT_MOST)).startsWith("200 {\"status\":\"UP\"");
            assertThat(cs.get(n).awaitResponse(3 + 2 * perConnection, AT_MOST)).isEqualTo("200 ");
        }
        assertThat(graceful.inFlight()).isEqualTo(connections * perConnection);

        // The client gives up on every third stream: each is counted out when its reset arrives.
        int reset = 0;
        for (int n = 0; n < connections; n++) {
            for (int s = 0; s < perConnection; s += 3) {
                cs.get(n).reset(1 + 2 * s, Http2Error.CANCEL);
                reset++;
            }
        }
        int expected = connections * perConnection - reset;
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == expected);

        graceful.shutdown("it");
        // Release only once the drain has begun, so that every stream is counted by it.
        await().atMost(AT_MOST).until(() -> graceful.phase() == Phase.AWAITING_IN_FLIGHT);
        for (int n = 0; n < connections; n++) {
            for (int s = 0; s < perConnection; s++) {
                app.release("c" + n + "s" + (1 + 2 * s));
            }
        }
        for (int n = 0; n < connections; n++) {
            for (int s = 0; s < perConnection; s++) {
                if (s % 3 != 0) {
                    String id = "c" + n + "s" + (1 + 2 * s);
                    assertThat(cs.get(n).awaitResponse(1 + 2 * s, AT_MOST))
                            .isEqualTo("200 released " + id + (s % 4 == 0 ? " " + ("body-" + id).length() : ""));
                }
            }
        }
        ShutdownReport report = awaitReport();
        floor.close();
        assertThat(report.isClean()).isTrue();
        assertThat(report.inFlightAtDrainStart()).isEqualTo(expected);
        assertThat(report.drained()).isEqualTo(expected);
        assertThat(graceful.inFlight()).isZero();
        assertThat(floor.lowest()).as("never negative").isGreaterThanOrEqualTo(0);
    }

    @Test
    void healthIsAnsweredOverHttp2WhileDrainingAndNotCounted() throws Exception {
        start(config(), Duration.ofSeconds(30));
        RawH2Connection c = connectHolding(false, "keep");
        c.request(3, "POST", "/healthz", "x");
        Frame head = c.await("HEADERS on 3", f -> f.type() == Type.HEADERS && f.streamId() == 3, AT_MOST);
        assertThat(head.headers().status().toString()).isEqualTo("405");
        assertThat(head.headers().get("allow").toString()).contains("GET");

        graceful.shutdown("it");
        c.await(Type.GOAWAY, AT_MOST);
        c.get(5, "/healthz");
        assertThat(c.awaitResponse(5, AT_MOST))
                .startsWith("503 {\"status\":\"DOWN\"")
                .contains("\"state\":\"DRAINING\"");
        c.get(7, "/livez");
        assertThat(c.awaitResponse(7, AT_MOST)).startsWith("200 ");
        assertThat(graceful.inFlight()).as("only the held request counts").isEqualTo(1);

        app.release("keep");
        assertThat(c.awaitResponse(1, AT_MOST)).isEqualTo("200 released keep");
        assertThat(awaitReport().isClean()).isTrue();
    }

    @Test
    void readinessAnswersOverHttp2ReportTheirProberSoTheReadinessDelayEndsOnceItSawThemFail() throws Exception {
        start(config().readinessDelay(Duration.ofSeconds(30)).readinessProbes(2), Duration.ofSeconds(30));
        RawH2Connection before = connect(false);
        before.get(1, "/healthz");
        assertThat(before.awaitResponse(1, AT_MOST)).startsWith("200 ");

        graceful.shutdown("it");
        RawH2Connection c = connect(false);
        c.get(1, "/livez");
        assertThat(c.awaitResponse(1, AT_MOST)).startsWith("200 ");
        c.get(3, "/readyz");
        assertThat(c.awaitResponse(3, AT_MOST)).startsWith("503 ");
        assertThat(graceful.phase()).isEqualTo(Phase.READINESS_DELAY);
        c.get(5, "/healthz");
        assertThat(c.awaitResponse(5, AT_MOST)).startsWith("503 ");

        assertThat(awaitReport().readinessDelay()).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aStreamThatOutlivesTheDeadlineIsDescribedAndItsConnectionClosed() throws Exception {
        start(config().drainTimeout(Duration.ofSeconds(1)).closeTimeout(Duration.ofSeconds(2)), Duration.ofSeconds(1));
        RawH2Connection c = connectHolding(true, "stuck");

        graceful.shutdown("it");
        ShutdownReport report = awaitReport();

        assertOneStuck(report, "GET /hold?id=stuck", "HTTP/2 stream 1");
        assertThat(c.await(Type.CLOSED, AT_MOST)).isNotNull();
        assertThat(c.seen())
                .filteredOn(f -> f.type() == Type.HEADERS && f.streamId() == 1)
                .isEmpty();
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == 0);
        app.release("stuck"); // the application finishing late writes into a closed stream, harmlessly
        assertThat(graceful.inFlight()).isZero();
    }

    @Test
    void aNettyHttp2ClientFinishesItsRequestAcrossTheDrainAndCannotStartNewOnes() throws Exception {
        start(config(), Duration.ofSeconds(1));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        toClose.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS));
        Channel parent = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(
                                        Http2FrameCodecBuilder.forClient().build(),
                                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", server.port())
                .sync()
                .channel();

        CompletableFuture<String> held = send(parent, "/hold?id=n");
        awaitHeld("n");
        graceful.shutdown("it");

        // The client's own codec acks the PING and records the second GOAWAY's last-stream-id.
        Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
        await().atMost(AT_MOST)
                .until(() -> parent.eventLoop()
                        .submit(() -> codec.connection().goAwayReceived()
                                && codec.connection().local().lastStreamKnownByPeer() == 3)
                        .get());
        CompletableFuture<String> late = send(parent, "/");
        await().atMost(AT_MOST).until(late::isDone);
        assertThat(late).as("no new stream after the second GOAWAY").isCompletedExceptionally();
        assertThat(parent.isActive())
                .as("the connection stays open for the stream in flight")
                .isTrue();

        app.release("n");
        assertThat(held.get(AT_MOST.toSeconds(), TimeUnit.SECONDS)).isEqualTo("200 released n");
        assertThat(parent.closeFuture().await(AT_MOST.toMillis()))
                .as("then the server closes the connection")
                .isTrue();
        assertThat(awaitReport().isClean()).isTrue();
    }

    private static CompletableFuture<String> send(Channel parent, String path) {
        CompletableFuture<String> result = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(parent)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline()
                                .addLast(
                                        new Http2StreamFrameToHttpObjectCodec(false),
                                        new HttpObjectAggregator(1 << 16),
                                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                                            @Override
                                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                                result.complete(r.status().code() + " "
                                                        + r.content().toString(StandardCharsets.UTF_8));
                                            }

                                            @Override
                                            public void channelInactive(ChannelHandlerContext ctx) {
                                                result.completeExceptionally(
                                                        new IllegalStateException("stream closed without response"));
                                            }

                                            @Override
                                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                                result.completeExceptionally(cause);
                                            }
                                        });
                    }
                })
                .open()
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        result.completeExceptionally(f.cause());
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
                    DefaultFullHttpRequest request = new DefaultFullHttpRequest(
                            HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
                    request.headers().set("host", "127.0.0.1");
                    request.headers().set("x-http2-scheme", "http");
                    stream.writeAndFlush(request).addListener(w -> {
                        if (!w.isSuccess()) {
                            result.completeExceptionally(w.cause());
                        }
                    });
                });
        return result;
    }
}
