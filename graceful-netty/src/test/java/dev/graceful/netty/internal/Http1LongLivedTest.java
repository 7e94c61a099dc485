package dev.graceful.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

/** Which response heads make a connection long-lived, and which leave it an ordinary one. */
class Http1LongLivedTest {

    @Test
    void aStreamedEventStreamIsAnSseConnectionWhateverTheCaseAndParameters() {
        assertThat(kind(streamed(200, "text/event-stream"))).isEqualTo("sse");
        assertThat(kind(streamed(200, "Text/Event-Stream; charset=utf-8"))).isEqualTo("sse");
        assertThat(kind(streamed(200, "text/event-stream ;charset=utf-8"))).isEqualTo("sse");
    }

    @Test
    void otherResponsesStayOrdinary() {
        assertThat(kind(streamed(200, "text/event-streaming"))).isNull();
        assertThat(kind(streamed(200, "text/plain"))).isNull();
        assertThat(kind(streamed(200, null))).isNull();
        assertThat(kind(streamed(404, "text/event-stream")))
                .as("an error is no stream")
                .isNull();
        DefaultFullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        full.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        assertThat(kind(full)).as("a full response ends at once").isNull();
    }

    @Test
    void onlyAWebSocketUpgradeIsAWebSocket() {
        HttpResponse ws = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        ws.headers().set(HttpHeaderNames.UPGRADE, "WebSocket");
        assertThat(kind(ws)).isEqualTo("websocket");
        HttpResponse h2c = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        h2c.headers().set(HttpHeaderNames.UPGRADE, "h2c");
        assertThat(kind(h2c)).isNull();
    }

    @Test
    void everyCloseFrameCarriesTheSharedPayloadWhole() {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            EmbeddedChannel ch = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
            for (int i = 0; i < 1000; i++) {
                CloseWebSocketFrame frame = new CloseWebSocketFrame(true, 0, Http1LongLived.closePayload());
                assertThat(frame.statusCode()).isEqualTo(1001);
                assertThat(frame.reasonText()).isEqualTo("server shutting down");
                ch.writeOutbound(frame);
                ByteBuf wire = readAll(ch);
                // FIN + Close, unmasked length 22, then the payload.
                assertThat(ByteBufUtil.hexDump(wire))
                        .isEqualTo("881603e9" + ByteBufUtil.hexDump("server shutting down".getBytes()));
                wire.release();
                assertThat(wire.refCnt()).as("the encoded frame was released").isZero();
            }
            assertThat(ch.finish()).isFalse();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private static ByteBuf readAll(EmbeddedChannel ch) {
        ByteBuf all = io.netty.buffer.Unpooled.buffer();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    private static String kind(HttpResponse r) {
        return Http1LongLived.kindOf(r, r.status().code(), r instanceof LastHttpContent);
    }

    private static HttpResponse streamed(int status, String type) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        if (type != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        return r;
    }
}
