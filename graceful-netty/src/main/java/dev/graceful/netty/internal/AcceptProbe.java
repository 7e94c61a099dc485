package dev.graceful.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits first in a server channel's pipeline and counts the connections accepted but not yet
 * registered on their event loop. A connection accepted just before the listener closed is
 * registered, and gets the adapter's handlers, a moment later on another event loop; if the drain
 * finished meanwhile (it can take microseconds with nothing in flight), the final close would not
 * know the connection and the event loops would be stopped under it. So stopping acceptance
 * completes only once every accepted connection is registered.
 */
@ChannelHandler.Sharable
final class AcceptProbe extends ChannelInboundHandlerAdapter {

    static final String NAME = "graceful-accept-probe";

    private final NettyParticipant owner;

    AcceptProbe(NettyParticipant owner) {
        this.owner = owner;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof Channel child) {
            Registered registered = new Registered();
            owner.childAccepted();
            // First in the child's pipeline: its channelRegistered comes after the initializer (and
            // so the adapter's handlers) has run.
            child.pipeline().addFirst(Registered.NAME, registered);
            child.closeFuture().addListener(registered); // in case it closes before it registers
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Counts one accepted connection as registered, once: when it registers, or when it closes
     * before. Garbage once registered (it leaves the pipeline and the close future), so an open
     * connection keeps nothing of it.
     */
    private final class Registered extends ChannelInboundHandlerAdapter implements ChannelFutureListener {

        static final String NAME = "graceful-registered-probe";

        private boolean done;

        void done() {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
            }
            owner.childRegistered();
        }

        @Override
        public void operationComplete(ChannelFuture future) {
            done();
        }

        @Override
        public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
            done();
            ctx.channel().closeFuture().removeListener(this);
            ctx.pipeline().remove(this);
            ctx.fireChannelRegistered();
        }
    }
}
