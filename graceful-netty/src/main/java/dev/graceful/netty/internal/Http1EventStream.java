package dev.graceful.netty.internal;

import dev.graceful.Departure;
import dev.graceful.Work;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * An event stream on HTTP/1.1: a {@code 200} with {@code Content-Type: text/event-stream} that is
 * not a full response. Its request left the tracker with the write of that head; once the head is
 * out the connection is counted as an {@code "sse"} long-lived connection until the stream or the
 * channel ends, and the HTTP/1.1 rules of its {@link Http1Handler} (the {@code Connection: close},
 * the idle close) leave it alone. An application that ends the stream itself makes the connection
 * an ordinary one again.
 *
 * <p>Leaving ({@link #goAway()}) runs on the channel's event loop, so a message being handled there
 * finishes first: {@link Http1LongLived#GOING_AWAY} goes through the pipeline, then the last chunk is
 * written from the pipeline's tail after whatever the application wrote before, and the connection
 * closes once it is flushed. Everything on this object but the two {@link Departure} methods runs on
 * the event loop.
 */
final class Http1EventStream implements Departure, ChannelFutureListener {

    private final Http1Handler handler;
    private final ChannelHandlerContext ctx;
    private final String description;
    private boolean opened;
    private boolean asked;
    private boolean ended;
    private boolean writingEnd;
    private Work handle;

    Http1EventStream(Http1Handler handler, ChannelHandlerContext ctx, String description) {
        this.handler = handler;
        this.ctx = ctx;
        this.description = description;
    }

    /** Whether it was asked to leave. */
    boolean leaving() {
        return asked;
    }

    /** Drops what the application writes after the last chunk; see {@link Http1LongLived#dropAfterEnd}. */
    boolean dropAfterLeaving(Object msg, ChannelPromise promise) {
        return ended && !writingEnd && Http1LongLived.dropAfterEnd(msg, promise);
    }

    /** The head was written: registers the connection. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (opened || !future.isSuccess()) {
            return;
        }
        opened = true;
        // Closed by the handler when the channel goes inactive (not by a close future listener).
        handle = handler.owner.longLived(Http1LongLived.SSE).open(description, this);
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
        NettyFutures.onEventLoop(ctx, this::leave);
    }

    @Override
    public void cut() {
        NettyFutures.onEventLoop(ctx, handler::cutLongLived);
    }

    /** Asks the peer to leave, once; on the event loop. */
    void leave() {
        if (asked || !ctx.channel().isActive()) {
            return;
        }
        asked = true;
        // What the application writes when it hears this still goes out, before the end.
        ctx.fireUserEventTriggered(Http1LongLived.GOING_AWAY);
        if (!ctx.channel().isActive()) {
            return;
        }
        ended = true;
        writingEnd = true;
        try {
            // From the tail: after what the application's handlers still hold (a compressor).
            ctx.channel().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } finally {
            writingEnd = false;
        }
    }

    @Override
    public String toString() {
        return "Http1EventStream[" + description + ", asked=" + asked + "]";
    }
}
