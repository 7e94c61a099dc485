package dev.graceful.netty.internal;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.RejectedExecutionException;

/** Runs a connection's work on its event loop. */
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
}
