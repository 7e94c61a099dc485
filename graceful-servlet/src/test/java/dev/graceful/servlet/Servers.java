package dev.graceful.servlet;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.jetty.GracefulJettyHandler;
import dev.graceful.servlet.jetty.JettyParticipant;
import dev.graceful.servlet.tomcat.GracefulValve;
import dev.graceful.servlet.tomcat.TomcatParticipant;
import dev.graceful.testkit.KitServer;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.ee11.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Starts real embedded servers on 127.0.0.1 and an ephemeral port, wired the way graceful-servlet/README.md says. */
public final class Servers {

    private Servers() {}

    /** A container under test. */
    public enum Container {
        /** Jetty 12, ee11, with the filter. */
        JETTY,
        /** Jetty 12, ee11, with {@link GracefulJettyHandler} in place of the filter. */
        JETTY_HANDLER,
        /** Tomcat 11, with the filter. */
        TOMCAT,
        /** Tomcat 11, with {@link GracefulValve} in place of the filter. */
        TOMCAT_VALVE
    }

    /**
     * Starts a server.
     *
     * @param container which one
     * @param graceful  the coordinator (the participant is registered on it)
     * @param servlets  servlets by mapping
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer start(Container container, GracefulShutdown graceful, Map<String, Servlet> servlets)
            throws Exception {
        return switch (container) {
            case JETTY -> jetty(graceful, servlets);
            case JETTY_HANDLER -> jettyHandler(graceful, servlets);
            case TOMCAT -> tomcat(graceful, servlets);
            case TOMCAT_VALVE -> tomcatValve(graceful, servlets);
        };
    }

    /**
     * Starts Jetty.
     *
     * @param graceful the coordinator
     * @param servlets servlets by mapping
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer jetty(GracefulShutdown graceful, Map<String, Servlet> servlets) throws Exception {
        return jetty(graceful, servlets, server -> JettyParticipant.register(graceful, server));
    }

    /**
     * Starts Jetty with a participant of the test's making.
     *
     * @param graceful    the coordinator
     * @param servlets    servlets by mapping
     * @param participant creates the participant (and registers it, or not)
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer jetty(
            GracefulShutdown graceful, Map<String, Servlet> servlets, Consumer<Server> participant) throws Exception {
        return jetty(graceful, servlets, participant, false, context -> {});
    }

    /**
     * Starts Jetty with {@link GracefulJettyHandler} in place of the filter.
     *
     * @param graceful the coordinator
     * @param servlets servlets by mapping
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer jettyHandler(GracefulShutdown graceful, Map<String, Servlet> servlets) throws Exception {
        return jettyHandler(graceful, servlets, server -> JettyParticipant.register(graceful, server));
    }

    /**
     * Starts Jetty with {@link GracefulJettyHandler} in place of the filter and a participant of the test's making.
     *
     * @param graceful    the coordinator
     * @param servlets    servlets by mapping
     * @param participant creates the participant (and registers it, or not)
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer jettyHandler(
            GracefulShutdown graceful, Map<String, Servlet> servlets, Consumer<Server> participant) throws Exception {
        return jetty(graceful, servlets, participant, true, context -> {});
    }

    /**
     * Starts a server that also serves the Jakarta WebSocket {@code endpoint} on {@code path}
     * (Jetty's or Tomcat's WebSocket implementation, set up as their documentation says).
     *
     * @param container which one
     * @param graceful  the coordinator (the participant is registered on it)
     * @param servlets  servlets by mapping
     * @param endpoint  the endpoint class
     * @param path      its path
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer startWithWebSocket(
            Container container,
            GracefulShutdown graceful,
            Map<String, Servlet> servlets,
            Class<? extends Endpoint> endpoint,
            String path)
            throws Exception {
        ServerEndpointConfig config =
                ServerEndpointConfig.Builder.create(endpoint, path).build();
        if (container == Container.JETTY || container == Container.JETTY_HANDLER) {
            return jetty(
                    graceful,
                    servlets,
                    server -> JettyParticipant.register(graceful, server),
                    container == Container.JETTY_HANDLER,
                    context -> JakartaWebSocketServletContainerInitializer.configure(
                            context, (ctx, ws) -> ws.addEndpoint(config)));
        }
        return tomcat(
                graceful,
                servlets,
                Map.of(),
                container == Container.TOMCAT_VALVE,
                tomcat -> TomcatParticipant.register(graceful, tomcat),
                context -> {
                    context.addServletContainerInitializer(new WsSci(), null);
                    context.addServletContainerInitializer(
                            (classes, ctx) -> {
                                try {
                                    ((ServerContainer) ctx.getAttribute(ServerContainer.class.getName()))
                                            .addEndpoint(config);
                                } catch (DeploymentException e) {
                                    throw new ServletException(e);
                                }
                            },
                            null);
                });
    }

    private static KitServer jetty(
            GracefulShutdown graceful,
            Map<String, Servlet> servlets,
            Consumer<Server> participant,
            boolean handler,
            Consumer<ServletContextHandler> setUp)
            throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        servlets.forEach((mapping, servlet) -> {
            ServletHolder holder = new ServletHolder(servlet);
            holder.setAsyncSupported(true);
            context.addServlet(holder, mapping);
        });
        if (handler) {
            GracefulJettyHandler.install(context, graceful);
        } else {
            context.addServletContainerInitializer(GracefulServlet.initializer(graceful));
        }
        setUp.accept(context);
        server.setHandler(context);
        participant.accept(server);
        server.start();
        return KitServer.of(connector.getLocalPort(), server::stop);
    }

    /**
     * Starts Tomcat.
     *
     * @param graceful the coordinator
     * @param servlets servlets by mapping
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer tomcat(GracefulShutdown graceful, Map<String, Servlet> servlets) throws Exception {
        return tomcat(graceful, servlets, Map.of());
    }

    /**
     * Starts Tomcat with more connector properties.
     *
     * @param graceful            the coordinator
     * @param servlets            servlets by mapping
     * @param connectorProperties connector properties, such as {@code maxConnections}
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer tomcat(
            GracefulShutdown graceful, Map<String, Servlet> servlets, Map<String, String> connectorProperties)
            throws Exception {
        return tomcat(graceful, servlets, connectorProperties, tomcat -> TomcatParticipant.register(graceful, tomcat));
    }

    /**
     * Starts Tomcat with more connector properties and a participant of the test's making.
     *
     * @param graceful            the coordinator
     * @param servlets            servlets by mapping
     * @param connectorProperties connector properties, such as {@code maxConnections}
     * @param participant         creates the participant (and registers it, or not)
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer tomcat(
            GracefulShutdown graceful,
            Map<String, Servlet> servlets,
            Map<String, String> connectorProperties,
            Consumer<Tomcat> participant)
            throws Exception {
        return tomcat(graceful, servlets, connectorProperties, false, participant, context -> {});
    }

    /**
     * Starts Tomcat with {@link GracefulValve} in place of the filter.
     *
     * @param graceful the coordinator
     * @param servlets servlets by mapping
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer tomcatValve(GracefulShutdown graceful, Map<String, Servlet> servlets) throws Exception {
        return tomcatValve(graceful, servlets, Map.of());
    }

    /**
     * Starts Tomcat with {@link GracefulValve} in place of the filter, and more connector properties.
     *
     * @param graceful            the coordinator
     * @param servlets            servlets by mapping
     * @param connectorProperties connector properties, such as {@code useVirtualThreads}
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer tomcatValve(
            GracefulShutdown graceful, Map<String, Servlet> servlets, Map<String, String> connectorProperties)
            throws Exception {
        return tomcat(
                graceful,
                servlets,
                connectorProperties,
                true,
                tomcat -> TomcatParticipant.register(graceful, tomcat),
                c -> {});
    }

    /**
     * Starts Tomcat with the filter or the valve, and the test's own set-up of the context.
     *
     * @param graceful the coordinator
     * @param servlets servlets by mapping
     * @param valve    {@link GracefulValve} in place of the filter
     * @param setUp    called on the context before the server starts
     * @return the running server
     * @throws Exception on failure
     */
    public static KitServer tomcat(
            GracefulShutdown graceful, Map<String, Servlet> servlets, boolean valve, Consumer<Context> setUp)
            throws Exception {
        return tomcat(
                graceful, servlets, Map.of(), valve, tomcat -> TomcatParticipant.register(graceful, tomcat), setUp);
    }

    private static KitServer tomcat(
            GracefulShutdown graceful,
            Map<String, Servlet> servlets,
            Map<String, String> connectorProperties,
            boolean valve,
            Consumer<Tomcat> participant,
            Consumer<Context> setUp)
            throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("acceptCount", "1024");
        connectorProperties.forEach(connector::setProperty);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        int i = 0;
        for (Map.Entry<String, Servlet> e : servlets.entrySet()) {
            String name = "servlet-" + i++;
            Tomcat.addServlet(context, name, e.getValue()).setAsyncSupported(true);
            context.addServletMappingDecoded(e.getKey(), name);
        }
        if (valve) {
            GracefulValve.install(context, graceful);
        } else {
            context.addServletContainerInitializer(GracefulServlet.initializer(graceful), null);
        }
        setUp.accept(context);
        participant.accept(tomcat);
        tomcat.start();
        return KitServer.of(connector.getLocalPort(), () -> {
            if (tomcat.getServer().getState() != LifecycleState.DESTROYED) {
                tomcat.stop();
                tomcat.destroy();
            }
        });
    }

    private static String baseDir() {
        try {
            Path target = Path.of("target");
            Files.createDirectories(target);
            return Files.createTempDirectory(target, "tomcat").toAbsolutePath().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
