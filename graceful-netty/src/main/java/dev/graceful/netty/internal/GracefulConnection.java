package dev.graceful.netty.internal;

import dev.graceful.InFlightWork;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One connection carrying the adapter's handlers, as the participant sees it. */
interface GracefulConnection {

    /**
     * Reacts to a new phase of the participant, on the connection's event loop. Idempotent: a
     * connection may be told the same phase twice.
     *
     * @param phase {@link NettyParticipant#DRAINING}, {@link NettyParticipant#CLOSING} or
     *              {@link NettyParticipant#FORCED}
     */
    void execute(int phase);

    /**
     * Describes the requests in flight, on the connection's event loop.
     *
     * @param nowNanos the time to measure ages against
     * @param max      at most this many
     * @return completes with the descriptions
     */
    CompletableFuture<List<InFlightWork>> describe(long nowNanos, int max);

    /**
     * Describes the requests in flight from another thread, when the event loop does not answer:
     * a best effort from racy reads, never failing.
     *
     * @param nowNanos the time to measure ages against
     * @return the descriptions
     */
    List<InFlightWork> describeWithoutEventLoop(long nowNanos);
}
