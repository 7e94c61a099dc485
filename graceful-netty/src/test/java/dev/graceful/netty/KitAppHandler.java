package dev.graceful.netty;

import dev.graceful.testkit.KitApp;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Serves the {@link KitApp} routes the way a Netty application would: never blocking the event
 * loop (held requests complete from the kit's thread and hop back onto the loop), and answering
 * pipelined requests one at a time, in order, as HTTP/1.1 requires of the application.
 */
final class KitAppHandler extends ChannelInboundHandlerAdapter {

    private final KitApp app;
    private final ArrayDeque<Request> ready = new ArrayDeque<>();
    private Request reading;
    private boolean busy;

    KitAppHandler(KitApp app) {
        this.app = app;
    }

    private static final class Request {
        final HttpMethod method;
        final String uri;
        final boolean keepAlive;
        long bodyBytes;

        Request(HttpRequest head) {
            this.method = head.method();
            this.uri = head.uri();
            this.keepAlive = HttpUtil.isKeepAlive(head);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                reading = new Request(request);
            }
            if (msg instanceof HttpContent content && reading != null) {
                reading.bodyBytes += content.content().readableBytes();
            }
            if (msg instanceof LastHttpContent && reading != null) {
                ready.add(reading);
                reading = null;
                next(ctx);
            }
        } finally {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    private void next(ChannelHandlerContext ctx) {
        if (busy || ready.isEmpty()) {
            return;
        }
        busy = true;
        serve(ctx, ready.poll());
    }

    private void done(ChannelHandlerContext ctx) {
        busy = false;
        next(ctx);
    }

    private void serve(ChannelHandlerContext ctx, Request r) {
        QueryStringDecoder q = new QueryStringDecoder(r.uri);
        String id = first(q.parameters().get("id"));
        switch (q.path()) {
            case "/" -> full(ctx, r, HttpResponseStatus.OK, app.hello(r.bodyBytes));
            case "/hold" ->
                app.hold(id, r.bodyBytes)
                        .thenAccept(body -> ctx.executor().execute(() -> full(ctx, r, HttpResponseStatus.OK, body)));
            case "/stream" -> {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers()
                        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8")
                        .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                ctx.write(head);
                ctx.writeAndFlush(
                        new DefaultHttpContent(Unpooled.copiedBuffer(KitApp.STREAM_HEAD, StandardCharsets.UTF_8)));
                app.hold(id, 0)
                        .thenAccept(v -> ctx.executor().execute(() -> {
                            ctx.write(new DefaultHttpContent(
                                    Unpooled.copiedBuffer(KitApp.STREAM_TAIL, StandardCharsets.UTF_8)));
                            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                            done(ctx);
                        }));
            }
            case "/events" -> events(ctx);
            default -> full(ctx, r, HttpResponseStatus.NOT_FOUND, "not found");
        }
    }

    /**
     * {@code /events}: one whole event per write, every {@link KitApp#EVENT_INTERVAL}, until a write
     * fails (graceful ended the stream, or the client left). The connection's last response: the
     * handler stays busy.
     */
    private static void events(ChannelHandlerContext ctx) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, KitApp.EVENT_STREAM_TYPE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ctx.write(head);
        long interval = KitApp.EVENT_INTERVAL.toMillis();
        long[] n = {0};
        ScheduledFuture<?>[] timer = {null};
        Runnable next = () -> {
            ChannelFuture f = ctx.writeAndFlush(
                    new DefaultHttpContent(Unpooled.copiedBuffer(KitApp.event(++n[0]), StandardCharsets.UTF_8)));
            f.addListener(w -> {
                if (!w.isSuccess() && timer[0] != null) {
                    timer[0].cancel(false);
                }
            });
        };
        next.run();
        timer[0] = ctx.executor().scheduleAtFixedRate(next, interval, interval, TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> timer[0].cancel(false));
    }

    private void full(ChannelHandlerContext ctx, Request r, HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (!r.keepAlive) {
            HttpUtil.setKeepAlive(response, false);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
        done(ctx);
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? "" : values.get(0);
    }
}
