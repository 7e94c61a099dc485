package dev.graceful.spring.boot.autoconfigure;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.servlet.GracefulFilter;
import dev.graceful.servlet.GracefulServlet;
import dev.graceful.servlet.HealthServlet;
import dev.graceful.servlet.jetty.GracefulJettyHandler;
import dev.graceful.servlet.tomcat.GracefulValve;
import dev.graceful.spring.boot.internal.DrainedWebServerShutdown;
import dev.graceful.spring.boot.internal.EmbeddedServerHook;
import dev.graceful.spring.boot.internal.MvcEventStreams;
import dev.graceful.spring.boot.internal.ServletServerParticipants;
import jakarta.servlet.DispatcherType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Spring MVC (any servlet application) on embedded Tomcat or Jetty: graceful-servlet's hook first
 * in front of the application (exact in-flight tracking, async requests included;
 * {@code Connection: close} while draining; a retryable 503 after the final close), its
 * {@link HealthServlet} on the health paths, and the participant for the server. The hook is the
 * server's own ({@link GracefulValve}, {@link GracefulJettyHandler}: the least cost per request),
 * or the {@link GracefulFilter} with {@code graceful.servlet.hook=filter} and in an application
 * deployed as a WAR (see {@link EmbeddedServerHook}). The drained
 * server is set to shut down immediately when Spring closes the context: graceful has drained it
 * by then (see {@link DrainedWebServerShutdown}). WebSocket sessions and event streams
 * are long-lived connections, recognised by graceful-servlet itself (container-level session
 * tracking, {@code text/event-stream} responses in the hook).
 */
@AutoConfiguration(after = GracefulAutoConfiguration.class)
@ConditionalOnClass({
    GracefulShutdown.class,
    GracefulFilter.class,
    jakarta.servlet.Filter.class,
    FilterRegistrationBean.class
})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "graceful.enabled", matchIfMissing = true)
@ConditionalOnBean(GracefulShutdown.class)
public final class GracefulServletAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EmbeddedServerHook gracefulEmbeddedServerHook() {
        return new EmbeddedServerHook();
    }

    @Bean
    @ConditionalOnMissingBean(name = "gracefulFilterRegistration")
    FilterRegistrationBean<GracefulFilter> gracefulFilterRegistration(
            GracefulShutdown graceful, ObjectProvider<HealthEndpoint> health, EmbeddedServerHook hook) {
        FilterRegistrationBean<GracefulFilter> registration =
                hook.filterUnlessHooked(GracefulFilter.create(graceful, exempt(graceful, health)));
        registration.setName(GracefulServlet.FILTER_NAME);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setAsyncSupported(true);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.addUrlPatterns("/*");
        return registration;
    }

    @Bean
    @ConditionalOnMissingBean(name = "gracefulHealthServletRegistration")
    @ConditionalOnBean(HealthEndpoint.class)
    ServletRegistrationBean<HealthServlet> gracefulHealthServletRegistration(
            HealthEndpoint health, EmbeddedServerHook hook) {
        Set<String> paths = new LinkedHashSet<>(health.readinessPaths());
        paths.addAll(health.livenessPaths());
        ServletRegistrationBean<HealthServlet> registration =
                hook.healthUnlessHooked(HealthServlet.create(health), paths.toArray(String[]::new));
        registration.setName(GracefulServlet.HEALTH_SERVLET_NAME);
        return registration;
    }

    /** Graceful's health endpoint, or one that exempts no path from tracking when there is none. */
    private static HealthEndpoint exempt(GracefulShutdown graceful, ObjectProvider<HealthEndpoint> health) {
        return health.getIfAvailable(() -> HealthEndpoint.of(graceful, List.of(), List.of()));
    }

    /** Spring MVC: its event streams leave through their emitters (see {@link MvcEventStreams}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = "org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitterReturnValueHandler")
    static class MvcConfiguration {

        /** Static: a post-processor is created before the other beans, and needs none of them. */
        @Bean
        @ConditionalOnMissingBean
        static MvcEventStreams gracefulMvcEventStreams() {
            return new MvcEventStreams();
        }
    }

    /** Spring Boot's embedded Tomcat. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "org.apache.catalina.startup.Tomcat",
                "org.springframework.boot.tomcat.TomcatWebServer",
                "org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory"
            })
    static class TomcatConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ServletServerParticipants.Tomcat gracefulTomcatParticipants(GracefulShutdown graceful) {
            return new ServletServerParticipants.Tomcat(graceful);
        }

        @Bean
        @ConditionalOnMissingBean(name = "gracefulTomcatShutdownMode")
        DrainedWebServerShutdown gracefulTomcatShutdownMode() {
            return new DrainedWebServerShutdown(TomcatServletWebServerFactory.class);
        }

        /** Graceful's valve first in the application context's pipeline, in place of the filter. */
        @Bean
        @ConditionalOnMissingBean(name = "gracefulTomcatValve")
        @ConditionalOnProperty(name = "graceful.servlet.hook", havingValue = "server", matchIfMissing = true)
        TomcatContextCustomizer gracefulTomcatValve(
                GracefulShutdown graceful, ObjectProvider<HealthEndpoint> health, EmbeddedServerHook hook) {
            return context -> {
                if (hook.claim()) {
                    GracefulValve.install(context, graceful, exempt(graceful, health));
                }
            };
        }
    }

    /** Spring Boot's embedded Jetty. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "org.eclipse.jetty.server.Server",
                "org.eclipse.jetty.ee11.servlet.ServletContextHandler",
                "org.springframework.boot.jetty.JettyWebServer",
                "org.springframework.boot.jetty.servlet.JettyServletWebServerFactory"
            })
    static class JettyConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ServletServerParticipants.Jetty gracefulJettyParticipants(GracefulShutdown graceful) {
            return new ServletServerParticipants.Jetty(graceful);
        }

        @Bean
        @ConditionalOnMissingBean(name = "gracefulJettyShutdownMode")
        DrainedWebServerShutdown gracefulJettyShutdownMode() {
            return new DrainedWebServerShutdown(JettyServletWebServerFactory.class);
        }

        /** Graceful's handler first in the application's servlet context, in place of the filter. */
        @Bean
        @ConditionalOnMissingBean(name = "gracefulJettyHandler")
        @ConditionalOnProperty(name = "graceful.servlet.hook", havingValue = "server", matchIfMissing = true)
        JettyServerCustomizer gracefulJettyHandler(
                GracefulShutdown graceful, ObjectProvider<HealthEndpoint> health, EmbeddedServerHook hook) {
            return server -> {
                ServletContextHandler context = server.getDescendant(ServletContextHandler.class);
                if (context != null && hook.claim()) {
                    GracefulJettyHandler.install(context, graceful, exempt(graceful, health));
                }
            };
        }
    }
}
