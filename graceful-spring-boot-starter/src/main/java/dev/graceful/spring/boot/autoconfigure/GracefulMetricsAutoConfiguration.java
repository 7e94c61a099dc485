package dev.graceful.spring.boot.autoconfigure;

import dev.graceful.GracefulShutdown;
import dev.graceful.micrometer.GracefulMetrics;
import dev.graceful.spring.boot.internal.ReactorNettyGraceful;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer meters ({@code graceful.state}, {@code graceful.work.active}, {@code graceful.drain},
 * ...; see {@link GracefulMetrics}) when a {@link MeterRegistry} bean exists. The binder is a
 * {@code MeterBinder} bean, so Spring Boot binds it to every registry; switch the meters off with
 * {@code management.metrics.enable.graceful=false}. On Reactor Netty also
 * {@code graceful.http.unread}: requests the drain found unread on a kept-alive connection
 * (reactor-netty issue 4361; see the starter's README).
 */
@AutoConfiguration(
        after = GracefulAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"
        })
@ConditionalOnClass({GracefulShutdown.class, MeterRegistry.class})
@ConditionalOnBooleanProperty(name = "graceful.enabled", matchIfMissing = true)
@ConditionalOnBean({GracefulShutdown.class, MeterRegistry.class})
public final class GracefulMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    GracefulMetrics gracefulMetrics(GracefulShutdown graceful) {
        return new GracefulMetrics(graceful);
    }

    /** Nested: its types are only loaded when Reactor Netty is there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "reactor.netty.http.server.HttpServer")
    static class ReactorNettyMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "gracefulReactorNettyMetrics")
        MeterBinder gracefulReactorNettyMetrics(ObjectProvider<ReactorNettyGraceful> netty) {
            return registry -> netty.ifAvailable(
                    n -> FunctionCounter.builder("graceful.http.unread", n, ReactorNettyGraceful::unreadRequests)
                            .description(
                                    "Requests found unread on a kept-alive connection (Reactor Netty had stopped reading it)")
                            .register(registry));
        }
    }
}
