package dev.graceful.netty.internal;

import dev.graceful.Departure;
import dev.graceful.InFlightWork;
import dev.graceful.Work;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.util.List;

/**
 * An HTTP/1.1 connection upgraded to a WebSocket. Once the {@code 101} is written it takes the
 * {@link Http1Handler}'s place in the pipeline (the handler, its probe and its exchanges go: the
 * connection reads no more HTTP/1.1 requests, and thousands of open WebSockets should not each keep
 * them), and it is counted as a {@code "websocket"} long-lived connection until the channel closes.
 * Itself the connection's {@link Departure}, with no more fields than it needs: it stays for hours.
 *
 * <p>Leaving ({@link #goAway()}) runs on the channel's event loop, so a message being handled there
 * finishes first: {@link Http1LongLived#GOING_AWAY} goes through the pipeline, then {@code Close 1001}
 * is written from the pipeline's tail, through the application's WebSocket handler, which closes
 * the channel once the client answers. Everything here but the two {@link Departure} methods runs
 * on the event loop.
 */
final class Http1WebSocket extends GracefulConnection implements Departure {

    private Work handle;
    /** Asked to leave before it took its place (the final close came while the 101 was written). */
    private boolean leaveWhenOpen;

    private boolean asked;
    /** The Close frame is written: what the application writes after it is dropped. */
    private boolean ended;

    private boolean writingEnd;

    Http1WebSocket(NettyParticipant owner) {
        super(owner);
    }

    /** In the pipeline now: registers the connection with graceful. */
    void open(String description) {
        // Closed when the channel goes inactive (not by a close future listener: one less object).
        handle = owner.longLived(Http1LongLived.WEBSOCKET).open(description, this);
        if (!ctx.channel().isActive()) {
            handle.close(); // went inactive meanwhile; channelInactive closes it too, idempotently
        } else if (leaveWhenOpen) {
            leave();
        }
    }

    /** The final close came before it took its place: it leaves as soon as it is open. */
    void leaveWhenOpen() {
        leaveWhenOpen = true;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (ended && !writingEnd && Http1LongLived.dropAfterEnd(msg, promise)) {
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    void released() {
        if (handle != null) {
            handle.close(); // however it closed
        }
    }

    @Override
    void onPhase(int phase) {
        // Never idle: the core asked it to leave and cut it if it did not. One still open at the
        // final close (opened after the cut) is asked now; forced ones are cut.
        if (phase == NettyParticipant.FORCED) {
            ctx.close();
        } else if (phase == NettyParticipant.CLOSING) {
            leave();
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
        if (asked || !ctx.channel().isActive()) {
            return;
        }
        asked = true;
        // What the application writes when it hears this still goes out, before the Close frame.
        ctx.fireUserEventTriggered(Http1LongLived.GOING_AWAY);
        if (!ctx.channel().isActive()) {
            return;
        }
        ended = true;
        writingEnd = true;
        try {
            // From the tail, through the WebSocket handler: it then refuses the application's
            // frames and closes the channel when the client's Close arrives.
            ctx.channel().writeAndFlush(new CloseWebSocketFrame(true, 0, Http1LongLived.closePayload()));
        } finally {
            writingEnd = false;
        }
    }

    @Override
    List<InFlightWork> describeNow(long nowNanos, int max) {
        return List.of(); // no request in flight: the long-lived connection is described by the core
    }

    @Override
    List<InFlightWork> describeWithoutEventLoop(long nowNanos) {
        return List.of();
    }

    @Override
    public String toString() {
        return "Http1WebSocket[" + ctx.channel() + ", asked=" + asked + "]";
    }
}
