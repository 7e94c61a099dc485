package dev.graceful.netty.internal;

import dev.graceful.Departure;
import dev.graceful.LongLived;
import dev.graceful.Work;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 connection upgraded to a WebSocket. Once the {@code 101} is written it takes the
 * {@link Http1Handler}'s place in the pipeline (the handler, its probe and its exchanges go: the
 * connection reads no more HTTP/1.1 requests, and thousands of open WebSockets should not each keep
 * them), and it is counted as a {@code "websocket"} long-lived connection until the channel closes.
 * Itself the connection's {@link Departure}, with no more fields than it needs: it stays for hours.
 *
 * <p>It is not in the participant's registry of connections: the core asks it to leave when the
 * listeners close (or as it opens, after that) and cuts it at the long-lived deadline, before the
 * participant's final close, so the participant has nothing left to do with it.
 *
 * <p>Leaving ({@link #goAway()}) runs on the channel's event loop, so a message being handled there
 * finishes first: {@link Http1LongLived#GOING_AWAY} goes through the pipeline, then {@code Close 1001}
 * is written from the pipeline's tail, through the application's WebSocket handler, which closes
 * the channel once the client answers. Everything here but the two {@link Departure} methods runs
 * on the event loop.
 */
final class Http1WebSocket extends ChannelDuplexHandler implements Departure {

    private static final Logger log = LoggerFactory.getLogger(Http1WebSocket.class);

    /** Asked to leave before it took its place (the final close came while the 101 was written). */
    private static final byte LEAVE_WHEN_OPEN = 1;

    private static final byte ASKED = 2;
    /** The Close frame is written: what the application writes after it is dropped. */
    private static final byte ENDED = 4;

    private static final byte WRITING_END = 8;

    // Three fields, 24 bytes with the object's header: one per open WebSocket (issue 13's budget).
    ChannelHandlerContext ctx;
    private Work handle;
    private byte flags;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** In the pipeline now: registers the connection with graceful. */
    void open(LongLived websockets, String description) {
        // Closed when the channel goes inactive (not by a close future listener: one less object).
        handle = websockets.open(description, this);
        if (!ctx.channel().isActive()) {
            handle.close(); // went inactive meanwhile; channelInactive closes it too, idempotently
        } else if (is(LEAVE_WHEN_OPEN)) {
            leave();
        }
    }

    /** The final close came before it took its place: it leaves as soon as it is open. */
    void leaveWhenOpen() {
        flags |= LEAVE_WHEN_OPEN;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (is(ENDED) && !is(WRITING_END) && Http1LongLived.dropAfterEnd(msg, promise)) {
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        released();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        released();
    }

    /** Quiet about a peer's reset, as every graceful handler is (see {@link PeerResets}). */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        PeerResets.closeQuietlyOrPass(ctx, cause, log);
    }

    private void released() {
        if (handle != null) {
            handle.close(); // however it closed; counted out once
        }
    }

    @Override
    public void goAway() {
        NettyFutures.onEventLoop(ctx, this::leave);
    }

    @Override
    public void cut() {
        NettyFutures.onEventLoop(ctx, ctx::close);
    }

    /** Asks the peer to leave, once; on the event loop. */
    private void leave() {
        if (is(ASKED) || !ctx.channel().isActive()) {
            return;
        }
        flags |= ASKED;
        // What the application writes when it hears this still goes out, before the Close frame.
        ctx.fireUserEventTriggered(Http1LongLived.GOING_AWAY);
        if (!ctx.channel().isActive()) {
            return;
        }
        flags |= ENDED | WRITING_END;
        try {
            // From the tail, through the WebSocket handler: it then refuses the application's
            // frames and closes the channel when the client's Close arrives.
            ctx.channel().writeAndFlush(new CloseWebSocketFrame(true, 0, Http1LongLived.closePayload()));
        } finally {
            flags &= ~WRITING_END;
        }
    }

    private boolean is(byte flag) {
        return (flags & flag) != 0;
    }

    @Override
    public String toString() {
        return "Http1WebSocket[" + (ctx == null ? "not added" : ctx.channel()) + ", asked=" + is(ASKED) + "]";
    }
}
