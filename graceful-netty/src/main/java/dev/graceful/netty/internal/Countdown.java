package dev.graceful.netty.internal;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Completes once every Netty future added to it has completed, whatever their outcomes: the stop
 * only waits for them. One listener for all of them, made with its participant: the stop runs
 * once per process, and nothing it uses should be linked for the first time after the signal.
 */
final class Countdown implements GenericFutureListener<Future<Object>> {

    /** One for {@link #seal()}, so that the count cannot reach zero while futures are still added. */
    private final AtomicInteger left = new AtomicInteger(1);

    private final CompletableFuture<Void> done = new CompletableFuture<>();

    /** Waits for {@code future} too; only before {@link #seal()}. */
    void add(Future<?> future) {
        left.incrementAndGet();
        future.addListener(this);
    }

    /**
     * No more futures; called once.
     *
     * @return completes when every future added has
     */
    CompletableFuture<Void> seal() {
        operationComplete(null);
        return done;
    }

    @Override
    public void operationComplete(Future<Object> future) {
        if (left.decrementAndGet() == 0) {
            done.complete(null);
        }
    }
}
