package dev.graceful.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;

/**
 * What makes an HTTP/1.1 connection long-lived, and what its two kinds share when they leave. A
 * {@code 101} with {@code Upgrade: websocket} makes it a WebSocket ({@link Http1WebSocket} then
 * replaces the {@link Http1Handler}); a {@code 200} with {@code Content-Type: text/event-stream}
 * that is not a full response makes it an event stream ({@link Http1EventStream}, beside the
 * handler, which still owns the connection).
 */
public final class Http1LongLived {

    static final String WEBSOCKET = "websocket";
    static final String SSE = "sse";

    private static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream");
    private static final AsciiString WEBSOCKET_TOKEN = AsciiString.cached("websocket");

    /**
     * The Close frame's payload (1001, "server shutting down"), built once: thousands of
     * connections leave at the same moment, and each sends a duplicate of it instead of allocating
     * and filling a buffer of its own. Unreleasable, so no connection's release can free it.
     */
    private static final ByteBuf GOING_AWAY_PAYLOAD = Unpooled.unreleasableBuffer(Unpooled.directBuffer(22)
                    .writeShort(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code())
                    .writeBytes("server shutting down".getBytes(StandardCharsets.UTF_8)))
            .asReadOnly();

    /** The user event fired through the pipeline before a long-lived connection is asked to leave. */
    public static final Object GOING_AWAY = new Object() {
        @Override
        public String toString() {
            return "GracefulNetty.GOING_AWAY";
        }
    };

    private Http1LongLived() {}

    /**
     * The long-lived kind a response head starts, or {@code null} for an ordinary response.
     * Allocation-free: a full response (the usual answer) is decided by its type alone.
     *
     * @param full whether the head is the whole response (a {@link LastHttpContent} too)
     */
    static String kindOf(HttpResponse response, int code, boolean full) {
        if (code == 101) {
            CharSequence upgrade = response.headers().get(HttpHeaderNames.UPGRADE);
            return upgrade != null && WEBSOCKET_TOKEN.contentEqualsIgnoreCase(upgrade) ? WEBSOCKET : null;
        }
        if (code != 200 || full) {
            return null;
        }
        return isEventStream(response.headers().get(HttpHeaderNames.CONTENT_TYPE)) ? SSE : null;
    }

    /** Whether a {@code Content-Type} value is {@code text/event-stream}, parameters or not; allocation-free. */
    static boolean isEventStream(CharSequence type) {
        int n = EVENT_STREAM.length();
        if (type == null || !AsciiString.regionMatches(type, true, 0, EVENT_STREAM, 0, n)) {
            return false;
        }
        return type.length() == n || type.charAt(n) == ';' || type.charAt(n) == ' ';
    }

    /**
     * Drops what the application writes after its connection was asked to leave (the Close frame
     * or the last chunk is out): its frames and content would follow the end. A second Close frame
     * (the WebSocket handler answering the client's) is not sent either, but reported written, so
     * that whoever wrote it closes the channel as it meant to. Other writes (bytes) go on.
     *
     * @return whether {@code msg} was dropped
     */
    static boolean dropAfterEnd(Object msg, ChannelPromise promise) {
        if (msg instanceof CloseWebSocketFrame) {
            ReferenceCountUtil.release(msg);
            promise.trySuccess();
            return true;
        }
        if (msg instanceof HttpObject || msg instanceof WebSocketFrame) {
            ReferenceCountUtil.release(msg);
            if (!promise.isVoid()) {
                promise.tryFailure(new ClosedChannelException());
            }
            return true;
        }
        return false;
    }

    /** A duplicate of the shared Close payload, for one frame: its release does not touch the shared one. */
    static ByteBuf closePayload() {
        return GOING_AWAY_PAYLOAD.retainedDuplicate();
    }

    /** The description of a long-lived connection: its request's method and target. */
    static String describe(NettyParticipant owner, HttpRequest request) {
        return owner.description(request.method().name(), request.uri());
    }
}
