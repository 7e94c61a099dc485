package dev.graceful.netty.internal;

import dev.graceful.InFlightWork;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection carrying the adapter's handlers, as the participant sees it, and what the HTTP/1.1
 * and HTTP/2 handlers share: registration with the participant, phases and descriptions moved onto
 * the connection's event loop (the handlers' state is confined to it), and letting go once when the
 * channel goes away, and quietly closing connections their peers reset.
 */
abstract class GracefulConnection extends ChannelDuplexHandler implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(GracefulConnection.class);

    /** An application request or stream: counted by the tracker. */
    static final byte APP = 0;
    /** A health probe: answered by the handler, never counted. */
    static final byte HEALTH = 1;
    /** Refused by the tracker after the final close: answered by the handler. */
    static final byte REFUSED = 2;

    // Few fields: an upgraded WebSocket keeps one of these per connection for hours.
    final NettyParticipant owner;
    ChannelHandlerContext ctx;
    boolean inactive;
    // Phases asked from other threads, one bit each, until the event loop applies them.
    private int phasesAsked;
    // Links in the participant's ConnectionRegistry, guarded by the stripe's lock.
    GracefulConnection prev;
    GracefulConnection next;

    GracefulConnection(NettyParticipant owner) {
        this.owner = owner;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        owner.register(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        goneInactive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        goneInactive();
        ctx.fireChannelInactive();
    }

    /** Quiet about a peer's reset or abort: a DEBUG line, never a WARN (see {@link PeerResets}). */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        PeerResets.closeQuietlyOrPass(ctx, cause, log);
    }

    private void goneInactive() {
        if (inactive) {
            return;
        }
        inactive = true;
        released();
        owner.deregister(this);
    }

    /** Lets go of what the connection still holds, once, when its channel goes away. */
    abstract void released();

    /**
     * Reacts to a new phase of the participant, on the connection's event loop. Idempotent: a
     * connection may be told the same phase twice.
     *
     * @param phase {@link NettyParticipant#DRAINING}, {@link NettyParticipant#CLOSING} or
     *              {@link NettyParticipant#FORCED}
     */
    final void execute(int phase) {
        EventExecutor loop = ctx.executor();
        if (loop.inEventLoop()) {
            phase(phase);
            return;
        }
        synchronized (this) {
            phasesAsked |= 1 << phase;
        }
        try {
            // The connection itself is the task, not a lambda capturing the phase: a stop runs
            // once, and a lambda first run at the signal is a class spun between the signal and the
            // exit (ExampleColdStopIT, docs/architecture.md, "A rehearsal of the shutdown").
            loop.execute(this);
        } catch (RejectedExecutionException e) {
            ctx.channel().close();
        }
    }

    /** Applies the phases asked from other threads, in their order, on the event loop. */
    @Override
    public final void run() {
        int asked;
        synchronized (this) {
            asked = phasesAsked;
            phasesAsked = 0;
        }
        for (int p = NettyParticipant.DRAINING; p <= NettyParticipant.FORCED; p++) {
            if ((asked & 1 << p) != 0) {
                phase(p);
            }
        }
    }

    private void phase(int phase) {
        if (!inactive) {
            onPhase(phase);
        }
    }

    /** Applies a phase on the event loop, while the channel is active. */
    abstract void onPhase(int phase);

    /**
     * Describes the requests in flight, on the connection's event loop.
     *
     * @param nowNanos the time to measure ages against
     * @param max      at most this many
     * @return completes with the descriptions
     */
    final CompletableFuture<List<InFlightWork>> describe(long nowNanos, int max) {
        CompletableFuture<List<InFlightWork>> result = new CompletableFuture<>();
        try {
            ctx.executor().execute(() -> result.complete(describeNow(nowNanos, max)));
        } catch (RejectedExecutionException e) {
            result.complete(describeWithoutEventLoop(nowNanos));
        }
        return result;
    }

    /** Describes at most {@code max} requests in flight, on the event loop. */
    abstract List<InFlightWork> describeNow(long nowNanos, int max);

    /**
     * Describes the requests in flight from another thread, when the event loop does not answer:
     * a best effort from racy reads, never failing.
     *
     * @param nowNanos the time to measure ages against
     * @return the descriptions
     */
    abstract List<InFlightWork> describeWithoutEventLoop(long nowNanos);

    String remote() {
        return PeerResets.remote(ctx.channel());
    }
}
