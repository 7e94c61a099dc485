package dev.graceful.spring.boot.autoconfigure;

import dev.graceful.GracefulShutdown;
import dev.graceful.spring.boot.internal.GracefulHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With Spring Boot's health support (Actuator), the health contributor {@code graceful}: the
 * lifecycle state, the phase and the in-flight count. Disable it with
 * {@code management.health.graceful.enabled=false}.
 */
@AutoConfiguration(
        after = GracefulAutoConfiguration.class,
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(
        name = {"dev.graceful.GracefulShutdown", "org.springframework.boot.health.contributor.HealthIndicator"})
@ConditionalOnBooleanProperty(name = "graceful.enabled", matchIfMissing = true)
@ConditionalOnBean(GracefulShutdown.class)
public final class GracefulHealthContributorAutoConfiguration {

    // Nested so that the health module's own condition is only read once the class check above
    // has passed: reading it without that module on the class path would fail.
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnEnabledHealthIndicator("graceful")
    static class GracefulHealthIndicatorConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "gracefulHealthIndicator")
        GracefulHealthIndicator gracefulHealthIndicator(GracefulShutdown graceful) {
            return new GracefulHealthIndicator(graceful);
        }
    }
}
