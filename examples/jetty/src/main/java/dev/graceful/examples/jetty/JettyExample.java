package dev.graceful.examples.jetty;

import dev.graceful.GracefulShutdown;
import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.ExampleServlet;
import dev.graceful.servlet.GracefulServlet;
import dev.graceful.servlet.jetty.JettyParticipant;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A Jetty 12 service that graceful shuts down without failing a request. */
public final class JettyExample {

    private static final Logger log = LoggerFactory.getLogger(JettyExample.class);

    private JettyExample() {
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--port P] [--version V] [--drain-timeout D] [--readiness-delay D]}
     * @throws Exception when the server cannot start
     */
    public static void main(String[] args) throws Exception {
        ExampleOptions options = ExampleOptions.parseOrExit("jetty", args);
        GracefulShutdown graceful = GracefulShutdown.create(options.config().build());

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(options.port());
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder app = new ServletHolder(new ExampleServlet(options.version()));
        app.setAsyncSupported(true);
        context.addServlet(app, "/");
        context.addServletContainerInitializer(GracefulServlet.initializer(graceful)); // tracking + /healthz
        server.setHandler(context);
        JettyParticipant.register(graceful, server);   // listener, idle connections, stop

        server.start();
        graceful.installSignalHandlers();               // SIGTERM/SIGINT: drain, then exit
        graceful.markReady();
        log.info("jetty example {} listening on port {}", options.version(), connector.getLocalPort());
        graceful.termination().join();                  // graceful exits the process when done
    }
}
