package dev.graceful.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Sits before the HTTP/1.1 codec and tells its {@link Http1Handler} whether a request is being read:
 * the codec buffers an incomplete request head without telling anyone. The probe marks every read;
 * after each decoded message the handler asks {@link #decoded()} whether the decoder left bytes
 * unread. Confined to the connection's event loop, like its handler.
 *
 * <p>Nothing here runs per read beyond two field writes: the decoder is asked through
 * {@link NettyInternals}, and only when it cannot be asked does the probe keep the read's buffer
 * alive (two atomic reference-count updates) to look at it instead. No clock either: a stalled
 * head is told from a live one by whether {@link #reads()} moves.
 */
final class Http1ReadProbe extends ChannelInboundHandlerAdapter {

    /** The codec's request decoder; {@code null} when it cannot be asked (then {@link #current} serves). */
    private ByteToMessageDecoder decoder;

    private ByteBuf current;
    private boolean partial;
    private long reads;

    /** Asks {@code decoder} about undecoded bytes from now on; {@code null} keeps each read's buffer instead. */
    void watch(ByteToMessageDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof ByteBuf buf) || !buf.isReadable()) {
            ctx.fireChannelRead(msg);
            return;
        }
        // Until a decoded message says otherwise, these bytes may be the start of a request.
        partial = true;
        reads++;
        if (decoder != null) {
            ctx.fireChannelRead(buf);
            return;
        }
        buf.retain();
        current = buf;
        try {
            ctx.fireChannelRead(buf);
        } finally {
            current = null;
            buf.release();
        }
    }

    /** The codec decoded a message: the bytes it left unread start a request. */
    void decoded() {
        partial = decoder != null
                ? NettyInternals.holdsUndecoded(decoder)
                // Without the decoder only this read's bytes are known, not those of an earlier
                // read that the decoder merged this one into (a head split over reads).
                : current != null && current.isReadable();
    }

    /** Whether bytes read are not yet decoded: the start of a request is buffered in the codec. */
    boolean partial() {
        return partial;
    }

    /** How many reads delivered bytes so far: a head that is still arriving moves it. */
    long reads() {
        return reads;
    }

    /** Whether the decoder is asked ({@link NettyInternals}), rather than each read's buffer kept. */
    boolean asksDecoder() {
        return decoder != null;
    }

    /** Whether the connection has read anything yet. */
    boolean everRead() {
        return reads != 0;
    }
}
