package dev.graceful.servlet.jetty;

import dev.graceful.servlet.internal.InFlightRequests;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.ObjLongConsumer;
import org.eclipse.jetty.ee11.servlet.ServletChannel;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests of one servlet context that Jetty is serving, read at a drain's deadline from
 * Jetty's HTTP/1 connections, so that {@link GracefulJettyHandler} counts requests without keeping
 * anything per request ({@link InFlightRequests#COUNTED}). Jetty 12 keeps one
 * {@link ServletChannel} per connection (in the request components' cache, under its class name,
 * as {@code ServletContextHandler} does), associated with the servlet request being served: the
 * connection's channel gives its request, whose cache gives the servlet channel, whose context
 * says whose request it is.
 *
 * <p>Read only where every connector speaks plain HTTP/1 and nothing else: with TLS, HTTP/2, a
 * PROXY header or any other protocol on a connector (none of which a test here runs through this
 * list), or Jetty's internals missing, {@link #of} declines, and the handler keeps each request in
 * its thread's slot as before. Decided when the context starts: a connector
 * added to a running server later is not looked at.
 */
final class JettyServletRequests implements InFlightRequests.ServerRequests {

    private static final Logger log = LoggerFactory.getLogger(JettyServletRequests.class);
    private static final String CHANNEL = ServletChannel.class.getName();

    private final Server server;
    private final ServletContextHandler context;
    private final GracefulJettyHandler handler;
    private final JettyInternals internals;

    private JettyServletRequests(
            Server server, ServletContextHandler context, GracefulJettyHandler handler, JettyInternals internals) {
        this.server = server;
        this.context = context;
        this.handler = handler;
        this.internals = internals;
    }

    /**
     * The requests of {@code context}, when they can be read from its server's connections.
     *
     * @return the list, or {@code null} when some connection may not be HTTP/1 or Jetty's members are missing
     */
    static JettyServletRequests of(
            ServletContextHandler context, GracefulJettyHandler handler, JettyInternals internals) {
        Server server = context.getServer();
        if (server == null || !internals.missing().isEmpty()) {
            return null;
        }
        for (Connector connector : server.getConnectors()) {
            for (ConnectionFactory factory : connector.getConnectionFactories()) {
                if (!(factory instanceof HttpConnectionFactory)) {
                    log.debug(
                            "{} on {} is not plain HTTP/1: each request is kept in its thread's slot",
                            factory,
                            connector);
                    return null;
                }
            }
        }
        return new JettyServletRequests(server, context, handler, internals);
    }

    @Override
    public void forEach(ObjLongConsumer<HttpServletRequest> each) {
        for (Connector connector : server.getConnectors()) {
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                ServletContextRequest request = servletRequest(endPoint);
                if (request != null && !handler.isHealthPath(request.getDecodedPathInContext())) {
                    each.accept(request.getServletApiRequest(), request.getBeginNanoTime());
                }
            }
        }
    }

    /** The request of this context being served on the connection, or {@code null}. */
    private ServletContextRequest servletRequest(EndPoint endPoint) {
        HttpConnection http = internals.http1(endPoint);
        if (http == null) {
            return null;
        }
        try {
            Request request = http.getHttpChannel().getRequest();
            if (request == null
                    || !(request.getComponents().getCache().getAttribute(CHANNEL) instanceof ServletChannel channel)
                    || channel.getContext() != context.getContext()) {
                return null;
            }
            return channel.getServletContextRequest();
        } catch (RuntimeException | LinkageError changing) {
            // Read from another thread than the connection's: a request that ends meanwhile.
            log.debug("Cannot read the request on {}", endPoint, changing);
            return null;
        }
    }
}
