package dev.graceful.spring.boot.autoconfigure;

import dev.graceful.GracefulShutdown;
import dev.graceful.micrometer.GracefulMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters ({@code graceful.state}, {@code graceful.work.active}, {@code graceful.drain},
 * ...; see {@link GracefulMetrics}) when a {@link MeterRegistry} bean exists. The binder is a
 * {@code MeterBinder} bean, so Spring Boot binds it to every registry; switch the meters off with
 * {@code management.metrics.enable.graceful=false}.
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
}
