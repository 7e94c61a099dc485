package dev.graceful.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the HTTP/1.1 codec and tells its {@link Http1Handler} whether a request is being read:
 * the codec buffers an incomplete request head without telling anyone. The probe marks every read
 * and keeps the read's buffer alive while the codec decodes it; after each decoded message the
 * handler asks {@link #decoded()} what the decoder left unread in that buffer. Confined to the
 * connection's event loop, like its handler.
 */
final class Http1ReadProbe extends ChannelInboundHandlerAdapter {

    private ByteBuf current;
    private boolean partial;
    private boolean everRead;
    private long lastReadNanos;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof ByteBuf buf) || !buf.isReadable()) {
            ctx.fireChannelRead(msg);
            return;
        }
        // Until a decoded message says otherwise, these bytes may be the start of a request.
        partial = true;
        everRead = true;
        lastReadNanos = System.nanoTime();
        buf.retain();
        current = buf;
        try {
            ctx.fireChannelRead(buf);
        } finally {
            current = null;
            buf.release();
        }
    }

    /** The codec decoded a message: the bytes it left unread in the current read start a request. */
    void decoded() {
        partial = current != null && current.isReadable();
    }

    /** Whether bytes read are not yet decoded: the start of a request is buffered in the codec. */
    boolean partial() {
        return partial;
    }

    /** When the connection last read bytes, on {@link System#nanoTime()}'s clock. */
    long lastReadNanos() {
        return lastReadNanos;
    }

    /** Whether the connection has read anything yet. */
    boolean everRead() {
        return everRead;
    }
}
