package dev.graceful.spring.boot.internal;

import dev.graceful.Departure;
import dev.graceful.LongLived;
import dev.graceful.Work;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The event streams ({@code text/event-stream} responses, {@code "sse"}) of exchanges that
 * {@link ReactorNettyResponseEnd} counts, seen where that handler sees them: on the connection, with
 * nothing added to the exchange. A stream becomes long-lived with its response head and, asked to
 * leave, ends between two events: at once when no event is part-written, else right after the
 * flush that ends the event in progress (Spring writes each event and then flushes it). Its end is
 * the chunked terminator, then the connection closes (the shutdown has begun); what the application
 * writes after that is dropped, and it is cancelled when the connection closes. All of it on the
 * connection's event loop.
 */
final class ReactorNettyEventStreams {

    private static final String EVENT_STREAM = "text/event-stream";

    private final LongLived streams;

    ReactorNettyEventStreams(LongLived streams) {
        this.streams = streams;
    }

    /** Whether {@code response} starts an event stream; allocates nothing. */
    static boolean isEventStream(HttpResponse response) {
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, EVENT_STREAM, 0, EVENT_STREAM.length())) {
            return false;
        }
        if (type.length() == EVENT_STREAM.length()) {
            return true;
        }
        char next = type.charAt(EVENT_STREAM.length());
        return next == ';' || next == ' ';
    }

    /** The counted exchange {@code request} turned out to be an event stream: from now on it is asked to leave. */
    void open(
            ChannelHandlerContext ctx, ReactorNettyConnectionState state, ServerHttpRequest request, boolean chunked) {
        Channel channel = ctx.channel();
        Work stream = streams.open(GracefulWebFilter.describe(request), new Departure() {
            @Override
            public void goAway() {
                channel.eventLoop().execute(() -> leave(ctx, state, chunked));
            }

            @Override
            public void cut() {
                channel.close();
            }
        });
        state.eventStream = stream;
        channel.closeFuture().addListener(f -> {
            stream.close();
            state.eventStream = null;
        });
    }

    /** The stream asked to leave, on the event loop: ends now, or after the event in progress. */
    private static void leave(ChannelHandlerContext ctx, ReactorNettyConnectionState state, boolean chunked) {
        if (state.eventStream == null || state.streamEnded) {
            return; // ended by the application, or the connection is gone
        }
        if (state.unflushed == 0) {
            end(ctx, state, chunked);
        } else {
            state.leaving = true;
        }
    }

    /** A flush went out: an event is complete. On the event loop. */
    static void flushed(ChannelHandlerContext ctx, ReactorNettyConnectionState state, boolean chunked) {
        state.unflushed = 0;
        if (state.leaving && !state.streamEnded) {
            end(ctx, state, chunked);
        }
    }

    private static void end(ChannelHandlerContext ctx, ReactorNettyConnectionState state, boolean chunked) {
        state.streamEnded = true;
        state.leaving = false;
        // Written from here, so it skips ReactorNettyResponseEnd's own accounting: the connection
        // closes once the terminator is out, and the stream's handle closes with it.
        Object end = chunked ? LastHttpContent.EMPTY_LAST_CONTENT : Unpooled.EMPTY_BUFFER;
        ctx.writeAndFlush(end).addListener(ChannelFutureListener.CLOSE);
    }
}
