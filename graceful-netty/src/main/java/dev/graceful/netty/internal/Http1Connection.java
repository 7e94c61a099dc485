package dev.graceful.netty.internal;

import dev.graceful.InFlightWork;
import dev.graceful.Tracker;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What an HTTP/1.1 connection holds about its requests, and when it closes: the response that
 * announces the close while draining, the idle connection closed at the final close (after a
 * linger), the stalled request head closed at once, the half-closed client. {@link Http1Handler}
 * adds the traffic: the exchanges' requests and responses.
 */
abstract class Http1Connection extends GracefulConnection implements ChannelFutureListener {

    /** How long the final close waits for the first read of a connection that has read nothing yet. */
    static final long FIRST_READ_GRACE_MILLIS = 50;

    /**
     * How long a connection still short of a complete request head must have delivered nothing
     * before the final close closes it (the servlet adapter's {@code ConnectionDrain} applies the
     * same rule). A client that keeps sending finishes its head and is answered 503 with
     * {@code Connection: close}; a stalled one (a slow client at 1 byte/s) is closed within this
     * time instead of holding the exit. 100 ms: far above the gap between a live client's packets,
     * far below a stalled one's.
     */
    static final long STALLED_HEAD_QUIET_MILLIS = 100;

    final Tracker tracker;
    final Http1ReadProbe probe = new Http1ReadProbe();
    final Http1Exchanges exchanges = new Http1Exchanges();
    boolean reading;
    boolean closeAnnounced;
    boolean closeWhenIdle;
    boolean closing;
    /** {@link Http1ReadProbe#reads()} when last noted, and when ({@link System#nanoTime()}). */
    private long readsSeen = -1;

    private long readsSeenAt;
    /**
     * The promise of the write that ended an application exchange, looked at once the flush that
     * sends it has returned: a response written and flushed at once (nearly every one) ends its
     * exchange without a listener on its promise, which would take the promise's monitor to be
     * added and again to be notified, on every response. Set only while serving; see
     * {@link #settleUnflushedEnd()} for what settles it.
     */
    private ChannelPromise unflushedEnd;
    // What the stop runs, made with the connection: a method reference first evaluated at the
    // signal is a class spun between the signal and the exit (ExampleColdStopIT).
    private final Runnable startClose = this::startClose;
    private final Runnable closeIfIdle = this::closeIfIdle;
    private Linger linger;

    Http1Connection(NettyParticipant owner) {
        super(owner);
        this.tracker = owner.tracker();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        linger = new Linger(ctx.channel(), ctx.channel(), owner.lingerNanos());
        super.handlerAdded(ctx); // registers: a phase may run from here on
    }

    /** Whether a response made the connection long-lived: it is never idle, and leaves when asked. */
    abstract boolean isLongLived();

    /** The final close came while the connection is long-lived: asks it to leave. */
    abstract void leaveAtFinalClose();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (closing && evt instanceof ChannelInputShutdownEvent) {
            // Half-closure is allowed on this channel: the client's end of stream is our cue.
            ctx.channel().close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    final boolean isIdle() {
        return exchanges.size() == 0 && !reading && !probe.partial();
    }

    /** Adds {@code Connection: close} while draining, to the last response of the pipeline only. */
    final void decideConnection(HttpResponse response, HttpRequest request) {
        if (!HttpUtil.isKeepAlive(response) || request != null && !HttpUtil.isKeepAlive(request)) {
            if (HttpUtil.isKeepAlive(response)) {
                HttpUtil.setKeepAlive(response, false);
            }
            closeAnnounced = true;
            return;
        }
        // A response with requests pipelined behind it stays keep-alive: those requests are
        // already being served, and the last of them carries the close.
        if (owner.phase() >= NettyParticipant.DRAINING && exchanges.nextIsLast()) {
            HttpUtil.setKeepAlive(response, false);
            closeAnnounced = true;
        }
    }

    /**
     * The promise to write an exchange's last content with: the exchange is over when that write
     * completes ({@link #operationComplete}).
     */
    final ChannelPromise endingWrite(ChannelPromise promise) {
        ChannelPromise p = promise.unvoid();
        if (unflushedEnd == null && owner.phase() < NettyParticipant.DRAINING) {
            unflushedEnd = p;
        } else {
            // Pipelined responses before one flush, or a drain that must not wait on a flush to
            // come through this handler: the promise says when.
            p.addListener(this);
        }
        return p;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        settleUnflushedEnd();
    }

    /**
     * Ends the exchange of {@link #unflushedEnd} now if its write is done, or else when it is.
     * Called after each flush through this handler and, in case a flush never comes this way (a
     * handler nearer the socket that flushes by itself), at the next request head, at every phase
     * of the shutdown and before describing the requests: the drain never waits on it.
     */
    final void settleUnflushedEnd() {
        ChannelPromise p = unflushedEnd;
        if (p == null) {
            return;
        }
        unflushedEnd = null;
        if (p.isDone()) {
            operationComplete(p);
        } else {
            p.addListener(this);
        }
    }

    /** The channel went away: the exchanges are counted out together, this one with them. */
    final void forgetUnflushedEnd() {
        unflushedEnd = null;
    }

    /** The write of an exchange's last content completed (or failed): the exchange is over. */
    @Override
    public void operationComplete(ChannelFuture future) {
        int kind = exchanges.removeEnded();
        if (kind < 0) {
            return; // counted out when the channel went inactive
        }
        if (kind == APP) {
            tracker.exit();
        }
        if (closing || !future.isSuccess() || isLongLived()) {
            return; // a long-lived connection closes when it leaves, not when it looks idle
        }
        if (closeAnnounced) {
            if (exchanges.ended() == 0) {
                closeGracefully();
            }
        } else if ((owner.phase() >= NettyParticipant.DRAINING || closeWhenIdle) && isIdle()) {
            // A response committed before the drain began went out without Connection: close.
            closeGracefully();
        }
    }

    /** Closes a long-lived connection now, on the event loop: it did not leave in time. */
    void cutLongLived() {
        closing = true;
        ctx.close();
    }

    final void closeGracefully() {
        if (closing) {
            return;
        }
        closing = true;
        // Not from inside a write completion: the outbound buffer is being walked there.
        ctx.executor().execute(startClose);
    }

    private void startClose() {
        linger.start();
    }

    private void closeIfIdle() {
        if (inactive || closing || isLongLived()) {
            return;
        }
        if (isIdle()) {
            closeGracefully();
        } else if (exchanges.size() == 0 && !reading) {
            // A request head read in part: no work, and nothing the application saw. Closed at
            // once when stalled (no linger: there is no response a reset could destroy).
            long now = System.nanoTime();
            long reads = probe.reads();
            if (reads != readsSeen) {
                noteReads(now);
            }
            long quietMillis = TimeUnit.NANOSECONDS.toMillis(now - readsSeenAt);
            if (quietMillis >= STALLED_HEAD_QUIET_MILLIS) {
                closing = true;
                ctx.channel().close();
            } else {
                ctx.executor().schedule(closeIfIdle, STALLED_HEAD_QUIET_MILLIS - quietMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Notes how many reads the connection has made, and when: a head still arriving moves the count
     * between two looks, a stalled one does not. Looked at when the drain begins and at the final
     * close, never per read: the probe keeps no clock.
     */
    private void noteReads(long now) {
        readsSeen = probe.reads();
        readsSeenAt = now;
    }

    @Override
    void onPhase(int phase) {
        settleUnflushedEnd();
        if (isLongLived()) {
            // Never idle: the core asked it to leave and cut it if it did not. One still open at the
            // final close (opened after the cut) is asked now; forced ones are cut.
            if (phase == NettyParticipant.FORCED) {
                cutLongLived();
            } else if (phase == NettyParticipant.CLOSING) {
                leaveAtFinalClose();
            }
            return;
        }
        if (phase == NettyParticipant.FORCED) {
            closing = true;
            ctx.channel().close();
        } else if (phase == NettyParticipant.CLOSING) {
            closeWhenIdle = true;
            if (probe.everRead()) {
                closeIfIdle();
            } else {
                // A connection accepted a moment ago may have its request in the kernel's buffer,
                // not read yet; the first select after registration reads it.
                ctx.executor().schedule(closeIfIdle, FIRST_READ_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        // DRAINING: idle connections stay open (a request may be on its way); every response from
        // now on decides about Connection: close when it is written. A head left half read from
        // now until the final close has stalled for all that time.
        if (phase == NettyParticipant.DRAINING) {
            noteReads(System.nanoTime());
        }
    }

    // ------------------------------------------------------------------ descriptions

    @Override
    List<InFlightWork> describeNow(long now, int max) {
        settleUnflushedEnd();
        return exchanges.describe(tracker.kind(), remote(), now, max);
    }

    @Override
    List<InFlightWork> describeWithoutEventLoop(long now) {
        return exchanges.describeWithoutEventLoop(tracker.kind(), remote(), now);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + ctx.channel() + ", exchanges=" + exchanges.size() + ", ended="
                + exchanges.ended() + ", reading=" + reading + ", partial=" + probe.partial() + ", closing=" + closing
                + "]";
    }
}
