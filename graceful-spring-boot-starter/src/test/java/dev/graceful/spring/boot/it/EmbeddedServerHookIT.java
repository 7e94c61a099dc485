package dev.graceful.spring.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.servlet.GracefulServlet;
import dev.graceful.servlet.jetty.GracefulJettyHandler;
import dev.graceful.servlet.tomcat.GracefulValve;
import dev.graceful.spring.boot.internal.EmbeddedServerHook;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitClient;
import jakarta.servlet.ServletContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.catalina.Context;
import org.apache.catalina.Valve;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.boot.web.servlet.support.SpringBootServletInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.web.context.WebApplicationContext;

/**
 * Which hook the starter puts graceful in through, on real servers: the embedded server's own (a
 * Tomcat valve, a Jetty handler) by default, the filter when asked, and the filter in an
 * application deployed as a WAR, where Spring Boot builds no server.
 */
class EmbeddedServerHookIT {

    private static final Duration AT_MOST = Duration.ofSeconds(15);

    private final KitApp kit = new KitApp();
    private final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();
    private Tomcat war;
    private int port;
    private final KitClient client = new KitClient(() -> port, AT_MOST);

    @AfterEach
    void close() throws Exception {
        for (ConfigurableApplicationContext context : contexts) {
            BootServer.closeSoon(context);
        }
        if (war != null) {
            war.stop();
            war.destroy();
        }
    }

    @Test
    void onEmbeddedTomcatGracefulIsAValveOfTheApplicationsContextAndNoFilter() throws Exception {
        ConfigurableApplicationContext context = start(BootServer.TOMCAT);
        Context tomcat = applicationContext(context);

        assertThat(tomcat.getPipeline().getValves()).hasAtLeastOneElementOfType(GracefulValve.class);
        assertThat(tomcat.getServletContext().getFilterRegistration(GracefulServlet.FILTER_NAME))
                .isNull();
        assertServes();
    }

    @Test
    void onEmbeddedJettyGracefulIsAHandlerOfTheApplicationsContextAndNoFilter() throws Exception {
        ConfigurableApplicationContext context = start(BootServer.JETTY);
        JettyWebServer jetty = (JettyWebServer) BootServer.webServer(context);

        assertThat(jetty.getServer().getDescendant(GracefulJettyHandler.class)).isNotNull();
        assertThat(servletContext(context).getFilterRegistration(GracefulServlet.FILTER_NAME))
                .isNull();
        assertServes();
    }

    @Test
    void withHookFilterGracefulIsTheFilterAndNoValve() throws Exception {
        ConfigurableApplicationContext context = start(BootServer.TOMCAT, "graceful.servlet.hook=filter");

        assertThat(applicationContext(context).getPipeline().getValves()).noneMatch(GracefulValve.class::isInstance);
        assertThat(servletContext(context).getFilterRegistration(GracefulServlet.FILTER_NAME))
                .isNotNull();
        assertThat(context.getBean(EmbeddedServerHook.class).installed()).isFalse();
        assertServes();
    }

    @Test
    void aSeparateManagementServerGetsNoValve() {
        ConfigurableApplicationContext context = BootServer.TOMCAT.startApplication(
                KitMvcApp.class, "management.server.port=0", "management.server.address=127.0.0.1");
        contexts.add(context);
        Servers servers = context.getBean(Servers.class);

        assertThat(servers.byNamespace).containsOnlyKeys("", "management");
        assertThat(valves(servers.byNamespace.get(""))).hasAtLeastOneElementOfType(GracefulValve.class);
        assertThat(valves(servers.byNamespace.get("management"))).noneMatch(GracefulValve.class::isInstance);
    }

    @Test
    void anApplicationDeployedAsAWarGetsTheFilter(@TempDir Path base) throws Exception {
        war = new Tomcat();
        war.setBaseDir(base.toString());
        war.setHostname("127.0.0.1");
        war.setPort(0);
        Context tomcat = war.addContext("", null);
        tomcat.addServletContainerInitializer(
                (classes, servletContext) -> new WarApp(kit).onStartup(servletContext), null);
        war.start();
        port = war.getConnector().getLocalPort();
        ServletContext servletContext = tomcat.getServletContext();
        ConfigurableApplicationContext context = (ConfigurableApplicationContext)
                servletContext.getAttribute(WebApplicationContext.ROOT_WEB_APPLICATION_CONTEXT_ATTRIBUTE);
        contexts.add(context);

        assertThat(tomcat.getPipeline().getValves()).noneMatch(GracefulValve.class::isInstance);
        assertThat(servletContext.getFilterRegistration(GracefulServlet.FILTER_NAME))
                .isNotNull();
        assertThat(context.getBean(EmbeddedServerHook.class).installed()).isFalse();
        assertThat(client.get("/").statusCode()).isEqualTo(200);
        assertThat(client.get("/healthz").statusCode()).isEqualTo(200);
    }

    private ConfigurableApplicationContext start(BootServer server, String... properties) {
        ConfigurableApplicationContext context = server.start(null, kit, properties);
        contexts.add(context);
        port = BootServer.port(context);
        return context;
    }

    /** The application is served, and its health paths by graceful. */
    private void assertServes() throws Exception {
        assertThat(client.get("/").body()).isEqualTo(kit.hello(0));
        assertThat(client.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(client.get("/livez").statusCode()).isEqualTo(200);
    }

    private static Context applicationContext(ConfigurableApplicationContext context) {
        return (Context) ((TomcatWebServer) BootServer.webServer(context))
                .getTomcat()
                .getHost()
                .findChildren()[0];
    }

    private static Valve[] valves(WebServer server) {
        return ((Context) ((TomcatWebServer) server).getTomcat().getHost().findChildren()[0])
                .getPipeline()
                .getValves();
    }

    private static ServletContext servletContext(ConfigurableApplicationContext context) {
        return ((WebApplicationContext) context).getServletContext();
    }

    /** The kit's Spring MVC application, deployed into a servlet container as a WAR would be. */
    static final class WarApp extends SpringBootServletInitializer {

        private final KitApp kit;

        WarApp(KitApp kit) {
            this.kit = kit;
        }

        @Override
        protected SpringApplicationBuilder configure(SpringApplicationBuilder builder) {
            return builder.sources(KitMvcApp.class)
                    .properties("spring.main.banner-mode=off", "graceful.signals.enabled=false")
                    .initializers(
                            context -> ((GenericApplicationContext) context).registerBean(KitApp.class, () -> kit));
        }
    }

    /** The kit's Spring MVC application, noting the web servers it starts. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import({MvcKitController.class, Servers.class})
    static class KitMvcApp {}

    /** The web servers started, by server namespace ("" for the application's). */
    static final class Servers implements ApplicationListener<WebServerInitializedEvent> {

        final Map<String, WebServer> byNamespace = new ConcurrentHashMap<>();

        @Override
        public void onApplicationEvent(WebServerInitializedEvent event) {
            String namespace = WebServerApplicationContext.getServerNamespace(event.getApplicationContext());
            byNamespace.put(namespace == null ? "" : namespace, event.getWebServer());
        }
    }
}
