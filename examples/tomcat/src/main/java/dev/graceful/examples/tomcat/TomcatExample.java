package dev.graceful.examples.tomcat;

import dev.graceful.GracefulShutdown;
import dev.graceful.examples.ExampleEcho;
import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.ExampleReload;
import dev.graceful.examples.ExampleServlet;
import dev.graceful.servlet.tomcat.GracefulValve;
import dev.graceful.servlet.tomcat.TomcatParticipant;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.threads.VirtualThreadExecutor;
import org.apache.tomcat.websocket.server.Constants;
import org.apache.tomcat.websocket.server.WsSci;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A Tomcat 11 service that graceful shuts down without failing a request. */
public final class TomcatExample {

    private static final Logger log = LoggerFactory.getLogger(TomcatExample.class);

    private TomcatExample() {}

    /**
     * Runs the example.
     *
     * @param args {@code [--port P] [--version V] [--drain-timeout D] [--readiness-delay D] [--readiness-probes N]
     *     [--threads T]}
     * @throws Exception when the server cannot start
     */
    public static void main(String[] args) throws Exception {
        ExampleOptions options = ExampleOptions.parseOrExit("tomcat", args);
        GracefulShutdown graceful = GracefulShutdown.create(options.config().build());

        Tomcat tomcat = tomcat(options.port(), options.version(), graceful);
        if (options.virtualThreads()) {
            tomcat.getConnector().setProperty("useVirtualThreads", "true"); // the connector's executor
        }
        tomcat.start();
        ExampleReload.register(graceful); // SIGHUP: logs reloaded (N)
        graceful.installSignalHandlers(); // SIGTERM/SIGINT: drain, then exit
        graceful.markReady();
        log.info(
                "tomcat example {} listening on port {}, requests on {} threads",
                options.version(),
                tomcat.getConnector().getLocalPort(),
                tomcat.getConnector().getProtocolHandler().getExecutor() instanceof VirtualThreadExecutor
                        ? "virtual"
                        : "platform");
        graceful.termination().join(); // graceful exits the process when done
    }

    /**
     * The example's server, not started. Without graceful ({@code null}) it is the same server with
     * nothing of graceful: the baseline the benchmarks compare it with.
     */
    public static Tomcat tomcat(int port, String version, GracefulShutdown graceful) throws IOException {
        Tomcat tomcat = new Tomcat();
        Path baseDir = Files.createDirectories(
                Path.of(System.getProperty("java.io.tmpdir"), "graceful-example-tomcat-" + port));
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(port);
        tomcat.setConnector(connector);
        StandardContext context = (StandardContext) tomcat.addContext("", null);
        // One application that exits with its JVM: Tomcat's leak detection for redeployed web
        // applications has nothing to find, and on Java 17+ only warns about module access.
        context.setClearReferencesRmiTargets(false);
        context.setClearReferencesThreadLocals(false);
        Tomcat.addServlet(context, "app", new ExampleServlet(version)).setAsyncSupported(true);
        context.addServletMappingDecoded("/", "app");
        // GET /ws: Tomcat's WebSocket initializer, then the endpoint once its container exists.
        // graceful-servlet finds the sessions through the container, nothing to wire.
        context.addServletContainerInitializer(new WsSci(), null);
        context.addApplicationListener(EchoDeployer.class.getName());
        if (graceful != null) {
            GracefulValve.install(context, graceful); // tracking + /healthz
            TomcatParticipant.register(graceful, tomcat); // before start: listener, idle connections, stop
        }
        return tomcat;
    }

    /** Adds {@code GET /ws} once Tomcat's initializer has published its WebSocket container. */
    public static final class EchoDeployer implements ServletContextListener {
        @Override
        public void contextInitialized(ServletContextEvent event) {
            ServerContainer container = (ServerContainer)
                    event.getServletContext().getAttribute(Constants.SERVER_CONTAINER_SERVLET_CONTEXT_ATTRIBUTE);
            try {
                ExampleEcho.addTo(container);
            } catch (DeploymentException e) {
                throw new IllegalStateException("cannot deploy " + ExampleEcho.PATH, e);
            }
        }
    }
}
