package dev.graceful.netty.internal;

import dev.graceful.Departure;
import dev.graceful.Work;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;

/**
 * An HTTP/1.1 connection that became long-lived: upgraded to a WebSocket (a {@code 101} with
 * {@code Upgrade: websocket}) or streaming events (a {@code 200} with
 * {@code Content-Type: text/event-stream} that is not a full response). Its request left the
 * tracker with the write of that response head; once the head is out the connection is counted as a
 * long-lived connection of its kind until the channel closes, and the HTTP/1.1 rules of its
 * {@link Http1Handler} (the {@code Connection: close}, the idle close) leave it alone.
 *
 * <p>Leaving ({@link #goAway()}) runs on the channel's event loop, so a message being handled there
 * finishes first: {@link Http1Handler#GOING_AWAY} goes through the pipeline, then a WebSocket gets
 * {@code Close 1001} (the WebSocket handler closes the channel once the client answers) and an event
 * stream gets the last chunk, written from the pipeline's tail after whatever the application wrote
 * before, and the connection closes once it is flushed. Everything on this object but the two
 * {@link Departure} methods runs on the event loop.
 */
final class Http1LongLived implements Departure, ChannelFutureListener {

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

    private final Http1Handler handler;
    private final ChannelHandlerContext ctx;
    private final String kind;
    private final String description;
    private boolean opened;
    private boolean asked;
    private boolean ended;
    private boolean writingEnd;
    private Work handle;

    Http1LongLived(Http1Handler handler, ChannelHandlerContext ctx, String kind, String description) {
        this.handler = handler;
        this.ctx = ctx;
        this.kind = kind;
        this.description = description;
    }

    /**
     * The long-lived kind a response head starts, or {@code null} for an ordinary response.
     * Allocation-free: a full response (the usual answer) is decided by its type alone.
     */
    static String kindOf(HttpResponse response, int code) {
        if (code == 101) {
            CharSequence upgrade = response.headers().get(HttpHeaderNames.UPGRADE);
            return upgrade != null && WEBSOCKET_TOKEN.contentEqualsIgnoreCase(upgrade) ? WEBSOCKET : null;
        }
        if (code != 200 || response instanceof LastHttpContent) {
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

    boolean isStream() {
        return kind == SSE;
    }

    /** Whether it was asked to leave. */
    boolean leaving() {
        return asked;
    }

    /**
     * Drops what the application writes after the connection was asked to leave: its frames and
     * content would follow the Close frame or the last chunk. A second Close frame (the WebSocket
     * handler answering the client's) is not sent either, but reported written, so that whoever
     * wrote it closes the channel as it meant to. Other writes (bytes) go on.
     *
     * @return whether {@code msg} was dropped
     */
    boolean dropAfterLeaving(Object msg, ChannelPromise promise) {
        if (!ended || writingEnd) {
            return false;
        }
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

    /** The head (the {@code 101}, or the stream's head) was written: registers the connection. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (opened || !future.isSuccess()) {
            return;
        }
        opened = true;
        if (kind == WEBSOCKET) {
            handler.upgraded();
        }
        // Closed by the handler when the channel goes inactive (not by a close future listener:
        // thousands of open WebSockets should not each keep one).
        handle = handler.owner.longLived(kind).open(description, this);
        if (!ctx.channel().isActive()) {
            handle.close(); // went inactive while the head was written: the handler has let go already
        }
    }

    /**
     * The application ended its event stream itself (the connection is an ordinary one again), or
     * the channel went inactive: the handle closes. Idempotent.
     */
    void ended() {
        if (handle != null) {
            handle.close();
        }
    }

    @Override
    public void goAway() {
        onEventLoop(this::leave);
    }

    @Override
    public void cut() {
        onEventLoop(handler::cutLongLived);
    }

    private void onEventLoop(Runnable r) {
        try {
            ctx.executor().execute(r);
        } catch (RejectedExecutionException e) {
            ctx.close(); // the event loop is gone: so is the connection, or it soon will be
        }
    }

    /** Asks the peer to leave, once; on the event loop. */
    void leave() {
        if (asked || !ctx.channel().isActive()) {
            return;
        }
        asked = true;
        // What the application writes when it hears this still goes out, before the end.
        ctx.fireUserEventTriggered(Http1Handler.GOING_AWAY);
        if (!ctx.channel().isActive()) {
            return;
        }
        ended = true;
        writingEnd = true;
        try {
            if (kind == WEBSOCKET) {
                // From the tail, through the WebSocket handler: it then refuses the application's
                // frames and closes the channel when the client's Close arrives.
                ctx.channel().writeAndFlush(new CloseWebSocketFrame(true, 0, closePayload()));
            } else {
                // From the tail too: after what the application's handlers still hold (a compressor).
                ctx.channel().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        } finally {
            writingEnd = false;
        }
    }

    /** A duplicate of the shared Close payload, for one frame: its release does not touch the shared one. */
    static ByteBuf closePayload() {
        return GOING_AWAY_PAYLOAD.retainedDuplicate();
    }

    @Override
    public String toString() {
        return "Http1LongLived[" + kind + " " + description + ", asked=" + asked + "]";
    }
}
