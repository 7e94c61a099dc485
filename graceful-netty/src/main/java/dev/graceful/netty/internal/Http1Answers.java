package dev.graceful.netty.internal;

import dev.graceful.HealthEndpoint;
import dev.graceful.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The responses {@link Http1Handler} writes itself: health answers and the {@link Refusal}. */
final class Http1Answers {

    /** Refusal's body, wrapped once: every refusal writes a duplicate of it, never a copy. */
    private static final ByteBuf REFUSAL_BODY =
            Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(Refusal.body()).asReadOnly());

    private Http1Answers() {}

    static FullHttpResponse health(HealthPaths health, Channel channel, HttpRequest request, String path) {
        HealthEndpoint.Response answer = health.respond(
                channel, request.method().name(), path, request.headers().get(HttpHeaderNames.USER_AGENT));
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = response(
                request,
                HttpResponseStatus.valueOf(answer.status()),
                Unpooled.wrappedBuffer(body),
                HealthEndpoint.CONTENT_TYPE);
        if (answer.allow() != null) {
            response.headers().set(HttpHeaderNames.ALLOW, answer.allow());
        }
        return response;
    }

    static FullHttpResponse refusal(HttpRequest request) {
        FullHttpResponse response = response(
                request, HttpResponseStatus.valueOf(Refusal.STATUS), REFUSAL_BODY.duplicate(), Refusal.CONTENT_TYPE);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, Refusal.RETRY_AFTER_SECONDS);
        HttpUtil.setKeepAlive(response, false);
        return response;
    }

    private static FullHttpResponse response(
            HttpRequest request, HttpResponseStatus status, ByteBuf body, String contentType) {
        boolean head = HttpMethod.HEAD.equals(request.method());
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, head ? Unpooled.EMPTY_BUFFER : body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }
}
