package dev.graceful.netty.internal;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
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
}
