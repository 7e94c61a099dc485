package dev.graceful.netty.internal;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Coordinators and participants the handler tests start from. */
final class HandlerFixtures {

    private HandlerFixtures() {}

    /** A participant with the default health paths, not registered with {@code graceful}. */
    static NettyParticipant participant(GracefulShutdown graceful) {
        return new NettyParticipant(
                graceful,
                graceful.tracker("http"),
                HealthEndpoint.of(graceful),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ZERO);
    }

    /** A coordinator whose final close is done (nothing was in flight): its trackers refuse all work. */
    static GracefulShutdown finallyClosed() throws Exception {
        GracefulShutdown graceful = GracefulShutdown.create(
                GracefulConfig.builder().closeTimeout(Duration.ofMillis(100)).build());
        graceful.markReady();
        graceful.shutdown("test").get(10, TimeUnit.SECONDS);
        return graceful;
    }

    /** Drains what the application would see on {@code channel}, returning the number of request heads. */
    static int readRequests(EmbeddedChannel channel) {
        int heads = 0;
        Object o;
        while ((o = channel.readInbound()) != null) {
            if (o instanceof HttpRequest) {
                heads++;
            }
            ReferenceCountUtil.release(o);
        }
        return heads;
    }

    /** An empty {@code 200 OK} with its length. */
    static DefaultFullHttpResponse ok() {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setContentLength(r, 0);
        return r;
    }
}
