package dev.graceful.examples.jetty;

import dev.graceful.GracefulShutdown;
import dev.graceful.examples.ExampleEcho;
import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.ExampleReload;
import dev.graceful.examples.ExampleServlet;
import dev.graceful.servlet.jetty.GracefulJettyHandler;
import dev.graceful.servlet.jetty.JettyParticipant;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.ee11.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A Jetty 12 service that graceful shuts down without failing a request. */
public final class JettyExample {

    private static final Logger log = LoggerFactory.getLogger(JettyExample.class);

    private JettyExample() {}

    /**
     * Runs the example.
     *
     * @param args {@code [--port P] [--version V] [--drain-timeout D] [--readiness-delay D] [--readiness-probes N]
     *     [--threads T]}
     * @throws Exception when the server cannot start
     */
    public static void main(String[] args) throws Exception {
        ExampleOptions options = ExampleOptions.parseOrExit("jetty", args);
        GracefulShutdown graceful = GracefulShutdown.create(options.config().build());

        Server server = server(options.port(), options.version(), graceful);
        if (options.virtualThreads()) {
            // Jetty's own pool keeps its threads for selecting; requests run on virtual threads.
            ((QueuedThreadPool) server.getThreadPool())
                    .setVirtualThreadsExecutor(VirtualThreads.getDefaultVirtualThreadsExecutor());
        }
        server.start();
        ExampleReload.register(graceful); // SIGHUP: logs reloaded (N)
        graceful.installSignalHandlers(); // SIGTERM/SIGINT: drain, then exit
        graceful.markReady();
        log.info(
                "jetty example {} listening on port {}, requests on {} threads",
                options.version(),
                ((ServerConnector) server.getConnectors()[0]).getLocalPort(),
                VirtualThreads.isUseVirtualThreads(server.getThreadPool()) ? "virtual" : "platform");
        graceful.termination().join(); // graceful exits the process when done
    }

    /**
     * The example's server, not started. Without graceful ({@code null}) it is the same server with
     * nothing of graceful: the baseline the benchmarks compare it with.
     */
    public static Server server(int port, String version, GracefulShutdown graceful) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder app = new ServletHolder(new ExampleServlet(version));
        app.setAsyncSupported(true);
        context.addServlet(app, "/");
        // GET /ws; graceful-servlet finds its sessions through the container, nothing to wire.
        JakartaWebSocketServletContainerInitializer.configure(
                context, (ctx, container) -> ExampleEcho.addTo(container));
        server.setHandler(context);
        if (graceful != null) {
            GracefulJettyHandler.install(context, graceful); // tracking + /healthz
            JettyParticipant.register(graceful, server); // listener, idle connections, stop
        }
        return server;
    }
}
