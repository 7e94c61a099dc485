package dev.graceful.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Tells its {@link Http1Handler} whether a request is being read: the HTTP/1.1 codec buffers an
 * incomplete request head without telling anyone. The probe marks every read; after each decoded
 * message the handler asks {@link #decoded()} whether the decoder left bytes unread. Confined to
 * the connection's event loop, like its handler.
 *
 * <p>It sees the reads from inside the request decoder, as the {@link ByteToMessageDecoder.Cumulator}
 * that merges each read into the decoder's buffer (wrapping the decoder's own), so nothing is added
 * to the pipeline and no read walks a handler more; per read it writes two fields. When Netty's decoder cannot be reached ({@link NettyInternals}), the probe is a handler
 * before the codec instead, and keeps each read's buffer alive (two atomic reference-count
 * updates) to look at it. No clock either way: a stalled head is told from a live one by whether
 * {@link #reads()} moves.
 */
final class Http1ReadProbe extends ChannelInboundHandlerAdapter implements ByteToMessageDecoder.Cumulator {

    /** The codec's request decoder; {@code null} when it cannot be asked (then {@link #current} serves). */
    private ByteToMessageDecoder decoder;
    /** The decoder's own cumulator, which this probe wraps once inside the decoder. */
    private ByteToMessageDecoder.Cumulator cumulator;

    private ByteBuf current;
    private boolean partial;
    private long reads;

    /**
     * Watches the reads from inside {@code decoder}, if it can be reached.
     *
     * @param decoder the codec's request decoder, or {@code null} when it cannot be asked
     * @return whether the probe is inside the decoder; if not, it must be added before the codec
     */
    boolean watchInside(ByteToMessageDecoder decoder) {
        if (decoder == null) {
            return false;
        }
        this.decoder = decoder;
        this.cumulator = NettyInternals.cumulator(decoder);
        decoder.setCumulator(this);
        return true;
    }

    /** Stops watching: the connection reads no more HTTP/1.1 requests (a WebSocket took it over). */
    void leave(ChannelPipeline pipeline) {
        if (cumulator != null) {
            decoder.setCumulator(cumulator); // harmless if the codec has left the pipeline already
            cumulator = null;
        } else if (pipeline.context(this) != null) {
            pipeline.remove(this);
        }
    }

    @Override
    public ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        read(in);
        return cumulator.cumulate(alloc, cumulation, in);
    }

    /** Bytes were read: until a decoded message says otherwise, they may be the start of a request. */
    private void read(ByteBuf in) {
        if (in.isReadable()) {
            partial = true;
            reads++;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof ByteBuf buf) || !buf.isReadable()) {
            ctx.fireChannelRead(msg);
            return;
        }
        read(buf);
        buf.retain();
        current = buf;
        try {
            ctx.fireChannelRead(buf);
        } finally {
            current = null;
            buf.release();
        }
    }

    /**
     * The codec decoded a message: the bytes it left unread start a request. Asked right after each
     * message, not when a phase needs it: the decoder takes complete header lines of a head into its
     * own state, so later its buffer can be empty while a head is half read.
     */
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

    /** Whether the probe is inside the decoder ({@link NettyInternals}), rather than a handler before it. */
    boolean asksDecoder() {
        return decoder != null;
    }

    /** Whether the connection has read anything yet. */
    boolean everRead() {
        return reads != 0;
    }
}
