package dev.graceful.spring.boot.it;

import dev.graceful.GracefulShutdown;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;

/**
 * Starts a real Spring Boot application (full auto-configuration, the starter found through
 * {@code AutoConfiguration.imports}) on 127.0.0.1 and an ephemeral port, serving the kit's routes.
 */
enum BootServer {
    TOMCAT(
            WebApplicationType.SERVLET,
            MvcApp.class,
            "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
            "org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyServletManagementContextAutoConfiguration"),
    JETTY(
            WebApplicationType.SERVLET,
            MvcApp.class,
            "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
            "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatServletManagementContextAutoConfiguration"),
    REACTOR_NETTY(
            WebApplicationType.REACTIVE,
            WebFluxApp.class,
            "org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration",
            "org.springframework.boot.jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration",
            "org.springframework.boot.tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration",
            "org.springframework.boot.jetty.autoconfigure.actuate.web.server.JettyReactiveManagementContextAutoConfiguration");

    // The test class path holds Tomcat, Jetty and Reactor Netty at once; an application has one.
    private final WebApplicationType type;
    private final Class<?> app;
    private final String exclude;

    BootServer(WebApplicationType type, Class<?> app, String... exclude) {
        this.type = type;
        this.app = app;
        this.exclude = String.join(",", exclude);
    }

    /**
     * Starts the application.
     *
     * @param graceful   the coordinator to use (becomes the application's bean), or {@code null}
     *                   for the starter's own
     * @param kit        the kit application to serve
     * @param properties more properties, {@code name=value}
     * @return the running context
     */
    ConfigurableApplicationContext start(GracefulShutdown graceful, KitApp kit, String... properties) {
        return start(app, graceful, kit, properties);
    }

    /**
     * Starts another application on this server.
     *
     * @param application the application's configuration class, of this server's web type
     * @param properties  more properties, {@code name=value}
     * @return the running context
     */
    ConfigurableApplicationContext startApplication(Class<?> application, String... properties) {
        return start(application, null, new KitApp(), properties);
    }

    private ConfigurableApplicationContext start(
            Class<?> application, GracefulShutdown graceful, KitApp kit, String... properties) {
        List<String> props = new ArrayList<>(List.of(
                "server.port=0",
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "spring.main.register-shutdown-hook=false",
                "graceful.signals.enabled=false",
                "spring.autoconfigure.exclude=" + exclude));
        props.addAll(List.of(properties));
        return new SpringApplicationBuilder(application)
                .web(type)
                .properties(props.toArray(String[]::new))
                .initializers(context -> {
                    GenericApplicationContext generic = (GenericApplicationContext) context;
                    generic.registerBean(KitApp.class, () -> kit);
                    if (graceful != null) {
                        generic.registerBean(GracefulShutdown.class, () -> graceful);
                    }
                })
                .run();
    }

    static int port(ConfigurableApplicationContext context) {
        return webServer(context).getPort();
    }

    static WebServer webServer(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer();
    }

    /**
     * The kit's cleanup. The context closes in the background, because its close waits for the
     * drain, which a scenario may have left in a long readiness delay; waiting here for the usual
     * (prompt) close keeps the contexts of consecutive scenarios from piling up.
     */
    static void closeSoon(ConfigurableApplicationContext context) throws InterruptedException {
        Thread closer = new Thread(context::close, "kit-context-close");
        closer.setDaemon(true);
        closer.start();
        closer.join(5000);
    }

    static KitServer kitServer(ConfigurableApplicationContext context) {
        return KitServer.of(port(context), () -> closeSoon(context));
    }

    /** A plain Spring MVC application. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import({MvcKitController.class, MvcKitController.WebSockets.class})
    static class MvcApp {}

    /** A plain WebFlux application. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebFluxApp {
        @Bean
        RouterFunction<ServerResponse> kitRoutes(KitApp kit) {
            return WebFluxKitRoutes.routes(kit);
        }

        @Bean
        HandlerMapping kitWebSockets() {
            return WebFluxKitRoutes.webSockets();
        }

        // With Tomcat and Jetty on the test class path Spring would not pick Reactor Netty's upgrade.
        @Bean
        WebFluxConfigurer reactorNettyUpgrade() {
            return new WebFluxConfigurer() {
                @Override
                public WebSocketService getWebSocketService() {
                    return new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy());
                }
            };
        }

        // Boot shares Reactor Netty's global event loops by default and disposes them when a
        // context closes; the kit's contexts overlap (one closes in the background while the next
        // serves), so each gets loops of its own.
        @Bean
        ReactorResourceFactory reactorResourceFactory() {
            ReactorResourceFactory factory = new ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            factory.setShutdownQuietPeriod(Duration.ZERO);
            return factory;
        }
    }
}
