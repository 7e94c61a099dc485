package dev.graceful.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.ExitStatus;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.http.HttpResources;

/** After a second signal the event loops of Boot's resource factory stop at once, global or not. */
class ReactorNettyGracefulTest {

    private final GracefulShutdown graceful = GracefulShutdown.create();
    private ReactorResourceFactory factory;

    @AfterEach
    void stop() {
        if (factory != null) {
            factory.stop();
        }
    }

    @Test
    void aSecondSignalShutsDownTheGlobalEventLoopsBootUsesByDefault() {
        factory = new ReactorResourceFactory(); // global resources: Boot's default
        factory.start();
        EventLoopGroup loops = HttpResources.get().onServer(true);

        listener(factory).onShutdownComplete(report(ExitStatus.FORCED_BY_SIGINT));

        await().atMost(Duration.ofSeconds(10)).until(loops::isShuttingDown);
    }

    @Test
    void aSecondSignalShutsDownTheFactorysOwnEventLoops() {
        factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.start();
        EventLoopGroup loops = factory.getLoopResources().onServer(true);

        listener(factory).onShutdownComplete(report(ExitStatus.FORCED_BY_SIGTERM));

        await().atMost(Duration.ofSeconds(10)).until(loops::isShuttingDown);
    }

    @Test
    void aDrainThatEndsByItselfLeavesTheEventLoopsToSpring() {
        factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.start();
        EventLoopGroup loops = factory.getLoopResources().onServer(true);

        listener(factory).onShutdownComplete(report(ExitStatus.CLEAN));

        assertThat(loops.isShuttingDown())
                .as("shutdown tasks may still use WebClient")
                .isFalse();
    }

    private ReactorNettyGraceful listener(ReactorResourceFactory resources) {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("reactorResourceFactory", resources);
        return new ReactorNettyGraceful(graceful, beans.getBeanProvider(ReactorResourceFactory.class));
    }

    private static ShutdownReport report(ExitStatus status) {
        return new ShutdownReport(
                "test",
                Instant.now(),
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO,
                0,
                0,
                status == ExitStatus.CLEAN ? 0 : 1,
                0,
                0,
                0,
                false,
                List.of(),
                List.of(),
                status);
    }
}
