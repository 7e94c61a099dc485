package dev.graceful.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection the way that never resets a client: shut the output down (the client reads
 * everything sent so far, then an orderly end of stream, and closes its side, which closes the
 * channel), and close it for good after a bounded linger. Closing at once instead makes the kernel
 * answer bytes the client sent meanwhile with a reset, which can destroy a response the client has
 * not read yet.
 */
final class Linger implements Runnable, ChannelFutureListener {

    private final Channel ch;
    private final ChannelOutboundInvoker closer;
    private final long lingerNanos;

    /**
     * Made with the connection, not at its close: a stop is often a connection's first close, and
     * a class first loaded then is loaded between the signal and the exit (ExampleColdStopIT).
     *
     * @param ch          the channel
     * @param closer      what closes it for good (the channel, or a context to skip handlers)
     * @param lingerNanos how long to wait for the client; 0 closes at once
     */
    Linger(Channel ch, ChannelOutboundInvoker closer, long lingerNanos) {
        this.ch = ch;
        this.closer = closer;
        this.lingerNanos = lingerNanos;
    }

    /** Starts the lingering close. Call it on the channel's event loop, when nothing is left to write. */
    void start() {
        if (!ch.isActive()) {
            return;
        }
        if (lingerNanos > 0 && ch instanceof DuplexChannel && !((DuplexChannel) ch).isOutputShutdown()) {
            ((DuplexChannel) ch).shutdownOutput();
            ch.eventLoop().schedule(this, lingerNanos, TimeUnit.NANOSECONDS);
        } else {
            closer.close();
        }
    }

    /** Starts once the write it listens to is done, whatever its outcome. */
    @Override
    public void operationComplete(ChannelFuture written) {
        start();
    }

    /** The linger is over: closes for good. */
    @Override
    public void run() {
        closer.close();
    }
}
