package dev.graceful.spring.boot.autoconfigure;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.spring.boot.GracefulProperties;
import dev.graceful.spring.boot.internal.GracefulApplicationLifecycle;
import dev.graceful.spring.boot.internal.GracefulConfigs;
import dev.graceful.spring.boot.internal.SpringAvailabilityBridge;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/**
 * The {@link GracefulShutdown} coordinator, built from {@code graceful.*} properties, and its ties
 * to the Spring lifecycle: SIGTERM/SIGINT ownership, readiness on {@code ApplicationReadyEvent},
 * the drain before the context closes, {@code ShutdownTask} beans, and Spring Boot's availability
 * model. The web stacks join in {@link GracefulServletAutoConfiguration} and
 * {@link GracefulReactiveAutoConfiguration}.
 *
 * <p>Every bean backs off when the application defines its own; an application-defined
 * {@code GracefulShutdown} keeps its own configuration (the duration properties are then not used).
 */
@AutoConfiguration
@ConditionalOnClass(GracefulShutdown.class)
@ConditionalOnBooleanProperty(name = "graceful.enabled", matchIfMissing = true)
@EnableConfigurationProperties(GracefulProperties.class)
public final class GracefulAutoConfiguration {

    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    GracefulShutdown gracefulShutdown(GracefulProperties properties) {
        return GracefulShutdown.create(GracefulConfigs.toConfig(properties));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBooleanProperty(name = "graceful.health.enabled", matchIfMissing = true)
    HealthEndpoint gracefulHealthEndpoint(GracefulShutdown graceful, GracefulProperties properties) {
        return GracefulConfigs.toHealthEndpoint(graceful, properties.getHealth());
    }

    @Bean
    @ConditionalOnMissingBean
    GracefulApplicationLifecycle gracefulApplicationLifecycle(
            GracefulShutdown graceful, GracefulProperties properties) {
        return new GracefulApplicationLifecycle(
                graceful, properties.getSignals().isEnabled());
    }

    @Bean
    @ConditionalOnMissingBean
    SpringAvailabilityBridge gracefulAvailabilityBridge(
            GracefulShutdown graceful, ApplicationEventPublisher publisher) {
        return new SpringAvailabilityBridge(graceful, publisher);
    }
}
