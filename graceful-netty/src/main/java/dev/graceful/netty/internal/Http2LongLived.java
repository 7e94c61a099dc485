package dev.graceful.netty.internal;

import dev.graceful.Departure;
import dev.graceful.Work;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * An HTTP/2 stream that became an event stream: its response headers (status 200,
 * {@code Content-Type: text/event-stream}, no end of stream) left the request count, and the
 * stream is counted as an {@code "sse"} long-lived connection until it closes. Asked to leave, it
 * gets an empty DATA frame with END_STREAM, queued behind what the application wrote before; cut,
 * a RST_STREAM(CANCEL). The connection around it follows the usual two-step GOAWAY and closes once
 * it has no stream left. Everything but the two {@link Departure} methods runs on the event loop.
 */
final class Http2LongLived implements Departure, ChannelFutureListener {

    private static final AsciiString OK = AsciiString.cached("200");

    private final NettyParticipant owner;
    private final ChannelHandlerContext ctx;
    private final Http2FrameStream stream;
    private final String description;
    private boolean asked;
    private boolean closed;
    private Work handle;

    Http2LongLived(NettyParticipant owner, ChannelHandlerContext ctx, Http2FrameStream stream, String description) {
        this.owner = owner;
        this.ctx = ctx;
        this.stream = stream;
        this.description = description;
    }

    /** Whether response headers start an event stream; allocation-free. */
    static boolean isEventStream(Http2Headers headers) {
        CharSequence status = headers.status();
        if (status == null || !OK.contentEquals(status)) {
            return false;
        }
        return Http1LongLived.isEventStream(headers.get(HttpHeaderNames.CONTENT_TYPE));
    }

    /** The response headers were written: registers the stream. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (future.isSuccess() && !closed && handle == null) {
            handle = owner.longLived(Http1LongLived.SSE).open(description, this);
        }
    }

    /** The codec closed the stream, however it ended. */
    void closed() {
        closed = true;
        if (handle != null) {
            handle.close();
        }
    }

    @Override
    public void goAway() {
        NettyFutures.onEventLoop(ctx, () -> {
            if (!closed && !asked) {
                asked = true;
                ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true).stream(stream));
            }
        });
    }

    @Override
    public void cut() {
        NettyFutures.onEventLoop(ctx, () -> {
            if (!closed) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(stream));
            }
        });
    }
}
