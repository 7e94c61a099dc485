package dev.graceful.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What an upgraded connection keeps of graceful's HTTP/1.1 handlers: one small WebSocket handler. */
class Http1WebSocketTest {

    private final GracefulShutdown graceful = GracefulShutdown.create();
    private final NettyParticipant participant = HandlerFixtures.participant(graceful);
    private final EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec());

    Http1WebSocketTest() {
        Http1Pipeline.install(ch.pipeline(), participant);
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    DefaultFullHttpResponse up =
                            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
                    up.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
                    up.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
                    ctx.writeAndFlush(up);
                }
                ReferenceCountUtil.release(msg);
            }
        });
    }

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    @Test
    void afterTheUpgradeTheWebSocketHandlerTakesTheHttp1HandlersPlaceAndTheProbeLeaves() {
        ch.writeInbound(Unpooled.copiedBuffer(
                "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                StandardCharsets.US_ASCII));

        assertThat(ch.pipeline().get(Http1Pipeline.NAME)).isInstanceOf(Http1WebSocket.class);
        assertThat(ch.pipeline().get(Http1Pipeline.PROBE_NAME)).isNull();
        assertThat(ch.pipeline().toMap().values()).noneMatch(h -> h instanceof Http1Handler);
        assertThat(participant.connectionCount())
                .as("a long-lived connection now: the core asks it to leave and cuts it, not the participant")
                .isZero();
        assertThat(graceful.longLived("websocket").count()).isEqualTo(1);
        assertThat(graceful.tracker("http").inFlight())
                .as("the upgrade request left the count once")
                .isZero();

        ch.close();
        assertThat(graceful.longLived("websocket").count()).isZero();
        assertThat(participant.connectionCount()).isZero();
        assertThat(graceful.tracker("http").inFlight()).isZero();
    }

    @Test
    void describedByItsRequestSharedWithConnectionsAlike() {
        LongLivedDescriptions descriptions = new LongLivedDescriptions();
        String first = descriptions.of("GET", "/ws");
        assertThat(first).isEqualTo("GET /ws");
        assertThat(descriptions.of("GET", "/ws")).isSameAs(first);
        for (int i = 0; i < LongLivedDescriptions.MAX_SHARED + 10; i++) {
            assertThat(descriptions.of("GET", "/ws?id=" + i)).isEqualTo("GET /ws?id=" + i);
        }
        assertThat(descriptions.of("GET", "/ws")).isSameAs(first);
    }
}
