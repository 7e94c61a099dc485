package dev.graceful.examples.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /events}: {@code data: V N} every 100 ms, on the connection's (or stream's) event loop,
 * until a write fails or the channel closes. Each event is one whole {@code HttpContent}, so
 * graceful-netty ends the stream between two events when the service leaves; the writes after that
 * fail quietly and stop the timer.
 */
final class EventStream {

    static final long INTERVAL_MILLIS = 100;

    private final ChannelHandlerContext ctx;
    private final String version;
    private long n;
    private ScheduledFuture<?> timer;

    private EventStream(ChannelHandlerContext ctx, String version) {
        this.ctx = ctx;
        this.version = version;
    }

    /** Writes the stream's head and starts the events. */
    static void start(ChannelHandlerContext ctx, String version) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        HttpUtil.setTransferEncodingChunked(head, true);
        EventStream stream = new EventStream(ctx, version);
        ctx.writeAndFlush(head).addListener(stream::afterWrite);
        stream.timer = ctx.executor()
                .scheduleAtFixedRate(stream::next, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> stream.stop());
    }

    private void next() {
        if (!ctx.channel().isActive()) {
            stop();
            return;
        }
        String event = "data: " + version + " " + (++n) + "\n\n";
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)))
                .addListener(this::afterWrite);
    }

    private void afterWrite(Future<? super Void> f) {
        if (!f.isSuccess()) {
            stop();
        }
    }

    private void stop() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }
}
