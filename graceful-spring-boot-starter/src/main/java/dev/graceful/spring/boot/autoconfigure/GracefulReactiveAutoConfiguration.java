package dev.graceful.spring.boot.autoconfigure;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.spring.boot.internal.DrainedWebServerShutdown;
import dev.graceful.spring.boot.internal.GracefulWebFilter;
import dev.graceful.spring.boot.internal.ReactiveWebSocketAdapters;
import dev.graceful.spring.boot.internal.ReactorNettyGraceful;
import dev.graceful.spring.boot.internal.ReactorNettyLongLived;
import dev.graceful.spring.boot.internal.ReactorNettyQuietPeriod;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.server.WebFilter;

/**
 * WebFlux: a {@code WebFilter} that tracks every exchange and answers the health paths, and, on
 * Reactor Netty, the participant that stops accepting, closes idle connections and force-closes
 * (and the server set to shut down immediately once drained: see {@link DrainedWebServerShutdown};
 * Reactor Netty's event loops without a quiet period: see {@link ReactorNettyQuietPeriod}); there,
 * event streams and WebSocket sessions are long-lived connections, asked to leave when the
 * listeners close (see {@link ReactorNettyLongLived}).
 */
@AutoConfiguration(after = GracefulAutoConfiguration.class)
@ConditionalOnClass({GracefulShutdown.class, WebFilter.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty(name = "graceful.enabled", matchIfMissing = true)
@ConditionalOnBean(GracefulShutdown.class)
public final class GracefulReactiveAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    GracefulWebFilter gracefulWebFilter(
            GracefulShutdown graceful,
            ObjectProvider<HealthEndpoint> health,
            ObjectProvider<ReactorNettyLongLived> longLived) {
        return new GracefulWebFilter(graceful, health.getIfAvailable(), longLived.getIfAvailable());
    }

    /** Reactor Netty, Spring Boot's default reactive server. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "reactor.netty.http.server.HttpServer",
                "org.springframework.boot.reactor.netty.NettyWebServer",
                "org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory",
                "org.springframework.boot.reactor.netty.autoconfigure.ReactorNettyProperties"
            })
    static class ReactorNettyConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ReactorNettyGraceful gracefulReactorNetty(
                GracefulShutdown graceful, ObjectProvider<ReactorResourceFactory> resources) {
            return new ReactorNettyGraceful(graceful, resources);
        }

        @Bean
        @ConditionalOnMissingBean(name = "gracefulNettyShutdownMode")
        DrainedWebServerShutdown gracefulNettyShutdownMode() {
            return new DrainedWebServerShutdown(NettyReactiveWebServerFactory.class);
        }

        @Bean
        @ConditionalOnMissingBean
        ReactorNettyLongLived gracefulReactorNettyLongLived(GracefulShutdown graceful) {
            return new ReactorNettyLongLived(graceful);
        }

        /** Static, as a post-processor; it looks the long-lived sessions up when an adapter is built. */
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnClass(name = "org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter")
        static ReactiveWebSocketAdapters gracefulReactiveWebSocketAdapters(
                ObjectProvider<ReactorNettyLongLived> longLived) {
            return new ReactiveWebSocketAdapters(longLived);
        }

        /** Static: a post-processor is created before the other beans, and needs none of them. */
        @Bean
        @ConditionalOnMissingBean(name = "gracefulReactorNettyQuietPeriod")
        static ReactorNettyQuietPeriod gracefulReactorNettyQuietPeriod() {
            return new ReactorNettyQuietPeriod();
        }
    }
}
