package dev.graceful.netty.internal;

import io.netty.util.concurrent.Future;
import java.util.concurrent.CompletableFuture;

/** Bridges Netty futures to {@link CompletableFuture}. */
final class NettyFutures {

    private NettyFutures() {}

    /** Completes normally when {@code f} completes, whatever its outcome: callers only wait. */
    static CompletableFuture<Void> toCompletable(Future<?> f) {
        CompletableFuture<Void> c = new CompletableFuture<>();
        f.addListener(done -> c.complete(null));
        return c;
    }
}
