package dev.graceful.examples.netty;

import dev.graceful.examples.WorkDelay;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The application: {@code GET /}, {@code GET|POST /work?ms=N} and {@code GET /events} ({@code /ws}
 * is answered by Netty's WebSocket handler and {@link WebSocketEcho}). Health paths never get here:
 * graceful-netty answers them. One instance per connection (HTTP/1.1) or per stream (HTTP/2).
 *
 * <p>HTTP/1.1 lets a client pipeline requests, and the responses must go out in request order, so
 * a connection's requests are answered one at a time; {@code /work} waits on the event loop's
 * timer, never blocking it.
 *
 * <p>Public only so that graceful's benchmarks ({@code tools/benchmarks/}, group 2) can build the very
 * same application behind a pipeline without graceful's handlers and measure what those handlers
 * cost; an application copying this example has no reason to reach it from outside the package.
 */
public final class ExampleHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final String version;
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private boolean busy;

    /**
     * Creates the handler of one connection (HTTP/1.1) or one stream (HTTP/2).
     *
     * @param version the version named in the answers
     */
    public ExampleHandler(String version) {
        this.version = version;
    }

    private record Request(HttpMethod method, String uri, boolean keepAlive) {}

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        // The body (if any) is already read in full by the aggregator; only the head matters here.
        waiting.add(new Request(request.method(), request.uri(), HttpUtil.isKeepAlive(request)));
        next(ctx);
    }

    private void next(ChannelHandlerContext ctx) {
        if (busy || waiting.isEmpty()) {
            return;
        }
        busy = true;
        serve(ctx, waiting.poll());
    }

    private void serve(ChannelHandlerContext ctx, Request r) {
        QueryStringDecoder query = new QueryStringDecoder(r.uri());
        switch (query.path()) {
            case "/" -> {
                if (r.method().equals(HttpMethod.GET) || r.method().equals(HttpMethod.HEAD)) {
                    respond(ctx, r, HttpResponseStatus.OK, "hello from " + version + "\n", null);
                } else {
                    respond(ctx, r, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n", "GET, HEAD");
                }
            }
            case "/work" -> {
                if (r.method().equals(HttpMethod.GET) || r.method().equals(HttpMethod.POST)) {
                    work(ctx, r, query);
                } else {
                    respond(ctx, r, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n", "GET, POST");
                }
            }
            case "/events" -> {
                if (r.method().equals(HttpMethod.GET)) {
                    // busy stays set: the stream is this connection's last response
                    EventStream.start(ctx, version);
                } else {
                    respond(ctx, r, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n", "GET");
                }
            }
            default -> respond(ctx, r, HttpResponseStatus.NOT_FOUND, "not found\n", null);
        }
    }

    private void work(ChannelHandlerContext ctx, Request r, QueryStringDecoder query) {
        long ms;
        try {
            List<String> values = query.parameters().get("ms");
            ms = WorkDelay.parse(values == null || values.size() != 1 ? null : values.get(0));
        } catch (IllegalArgumentException e) {
            respond(ctx, r, HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n", null);
            return;
        }
        ctx.executor()
                .schedule(
                        () -> respond(ctx, r, HttpResponseStatus.OK, "done " + version + "\n", null),
                        ms,
                        TimeUnit.MILLISECONDS);
    }

    private void respond(ChannelHandlerContext ctx, Request r, HttpResponseStatus status, String body, String allow) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = r.method().equals(HttpMethod.HEAD);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (allow != null) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        HttpUtil.setKeepAlive(response, r.keepAlive());
        ctx.writeAndFlush(response);
        busy = false;
        next(ctx);
    }
}
