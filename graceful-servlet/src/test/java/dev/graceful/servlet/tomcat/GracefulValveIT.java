package dev.graceful.servlet.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.GracefulServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How {@link GracefulValve#install} refuses what would count requests twice or not at all. */
class GracefulValveIT {

    private final GracefulShutdown graceful =
            GracefulShutdown.create(GracefulConfig.builder().build());
    private Tomcat tomcat;

    private Context context() throws Exception {
        tomcat = new Tomcat();
        Path target = Files.createDirectories(Path.of("target"));
        tomcat.setBaseDir(Files.createTempDirectory(target, "tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        return tomcat.addContext("", null);
    }

    @AfterEach
    void stop() throws LifecycleException {
        if (tomcat != null && tomcat.getServer().getState() != LifecycleState.DESTROYED) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    @Test
    void aValveAndAFilterOnOneContextFailItsStartNamingBoth() throws Exception {
        Context context = context();
        context.addServletContainerInitializer(GracefulServlet.initializer(graceful), null);
        GracefulValve.install(context, graceful);

        assertThatThrownBy(tomcat::start)
                .isInstanceOf(LifecycleException.class)
                .rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("graceful is installed twice on context '': as a valve and as a filter; keep one");
    }

    @Test
    void installingOnAStartedContextIsRefusedWithItsPath() throws Exception {
        Context context = context();
        tomcat.start();

        assertThatThrownBy(() -> GracefulValve.install(context, graceful))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("context '' has started");
    }

    @Test
    void theValveMapsTheHealthServletAndPublishesTheCoordinator() throws Exception {
        Context context = context();
        GracefulValve valve = GracefulValve.install(context, graceful);

        tomcat.start();

        assertThat(context.getPipeline().getFirst()).isSameAs(valve);
        assertThat(context.getServletContext().getAttribute(GracefulServlet.CONTEXT_ATTRIBUTE))
                .isSameAs(graceful);
        assertThat(context.getServletContext()
                        .getServletRegistration(GracefulServlet.HEALTH_SERVLET_NAME)
                        .getMappings())
                .contains("/healthz");
        assertThat(context.getServletContext().getFilterRegistration(GracefulServlet.FILTER_NAME))
                .isNull();
    }
}
