package dev.graceful.netty.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The graceful two-step GOAWAY of one HTTP/2 connection (RFC 9113, section 6.8), and its close once
 * no stream is open. First: GOAWAY(2<sup>31</sup>-1, NO_ERROR) plus a PING; streams the client opened
 * before it saw that GOAWAY are still accepted. When the PING's acknowledgement arrives (every stream
 * the client opened before that is then known to the server), or after the ping timeout, the second
 * GOAWAY carries the last stream id the server has seen; the codec refuses any later stream with
 * REFUSED_STREAM. Once no stream is open, the connection is closed, output first, never reset.
 * Confined to the connection's event loop, like its {@link Http2Handler}.
 */
final class Http2GoAway {

    /** Opaque data of the PING sent with the first GOAWAY ("gracefu1"). */
    static final long PING_DATA = 0x6772616365667531L;

    private final ChannelHandlerContext ctx;
    private final ChannelHandlerContext codecCtx;
    private final Http2Connection connection;
    private final NettyParticipant owner;
    private final Runnable second = this::second;
    private final Runnable checkIdle = this::checkIdle;
    private final Linger linger;

    private int sent;
    private ScheduledFuture<?> pingTimer;
    private boolean closing;
    private boolean stopped;

    /**
     * @param ctx        the context of the handler that writes the frames
     * @param codecCtx   the codec's context, through which the connection is closed
     * @param connection the codec's connection, for its active streams
     * @param owner      the participant: linger and ping timeouts
     */
    Http2GoAway(
            ChannelHandlerContext ctx,
            ChannelHandlerContext codecCtx,
            Http2Connection connection,
            NettyParticipant owner) {
        this.ctx = ctx;
        this.codecCtx = codecCtx;
        this.connection = connection;
        this.owner = owner;
        this.linger = new Linger(ctx.channel(), codecCtx, owner.lingerNanos());
    }

    /** Whether {@code ping} acknowledges the first GOAWAY's PING: the second goes now. */
    boolean acknowledged(Http2PingFrame ping) {
        if (ping.ack() && ping.content() == PING_DATA) {
            second();
            return true;
        }
        return false;
    }

    void first() {
        if (sent > 0 || stopped) {
            return;
        }
        sent = 1;
        // extraStreamIds pushes the codec's last-stream-id (last created + 2 * extra) to its cap, 2^31-1.
        ctx.write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
        ctx.write(new DefaultHttp2PingFrame(PING_DATA));
        ctx.flush();
        pingTimer = ctx.executor().schedule(second, owner.pingTimeoutNanos(), TimeUnit.NANOSECONDS);
    }

    void second() {
        if (sent != 1 || stopped) {
            return;
        }
        sent = 2;
        if (pingTimer != null) {
            pingTimer.cancel(false);
        }
        // Without extra ids the codec sends the id of the last stream the client created.
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        checkIdle();
    }

    /** A stream closed: after the second GOAWAY, the connection may now be idle. */
    void streamClosed() {
        if (sent == 2 && !closing) {
            // The codec is still inside its close bookkeeping; look once it is done.
            ctx.executor().execute(checkIdle);
        }
    }

    private void checkIdle() {
        if (!closing && !stopped && sent == 2 && connection.numActiveStreams() == 0) {
            closing = true;
            // The empty write completes once everything before it (the GOAWAY) is written.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(linger);
        }
    }

    /** Closes the connection now, whatever is open on it. */
    void force() {
        closing = true;
        ctx.flush();
        // Through the codec's context, skipping its close(), which would wait for the streams.
        codecCtx.close();
    }

    /** The channel went away: nothing more to send. */
    void stop() {
        stopped = true;
        if (pingTimer != null) {
            pingTimer.cancel(false);
        }
    }

    @Override
    public String toString() {
        return "goAways=" + sent + ", closing=" + closing;
    }
}
