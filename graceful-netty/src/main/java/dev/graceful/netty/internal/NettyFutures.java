package dev.graceful.netty.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/** Bridges Netty futures to {@link CompletableFuture}, and runs a connection's work on its event loop. */
final class NettyFutures {

    private NettyFutures() {}

    /**
     * Runs {@code r} on the connection's event loop; a loop that refuses it is gone, and so is the
     * connection (or it soon will be): it is closed instead.
     */
    static void onEventLoop(ChannelHandlerContext ctx, Runnable r) {
        try {
            ctx.executor().execute(r);
        } catch (RejectedExecutionException e) {
            ctx.close();
        }
    }

    /** Completes normally when {@code f} completes, whatever its outcome: callers only wait. */
    static CompletableFuture<Void> toCompletable(Future<?> f) {
        CompletableFuture<Void> c = new CompletableFuture<>();
        f.addListener(done -> c.complete(null));
        return c;
    }
}
