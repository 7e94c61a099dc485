package dev.graceful.servlet.jetty;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.ParticipantBuilder;
import dev.graceful.servlet.internal.ConnectionDrain;
import dev.graceful.servlet.internal.DrainingParticipant;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes an embedded Jetty 12 {@link Server} through graceful's shutdown sequence.
 *
 * <pre>{@code
 * Server server = new Server(8080);
 * ServletContextHandler context = new ServletContextHandler();
 * context.addServletContainerInitializer(GracefulServlet.initializer(graceful));
 * server.setHandler(context);
 * JettyParticipant.register(graceful, server);
 * server.start();
 * }</pre>
 *
 * <ul>
 *   <li>{@link #stopAccepting()}: every connector closes its listening socket (new connects are
 *   refused, not queued) and stops keeping connections alive: a response to a request read from
 *   then on carries {@code Connection: close}; a response already in progress that the client
 *   does not have entirely yet either carries it (not committed) or has its connection closed
 *   after its last byte (a stream). Idle kept-alive connections stay open, and so does a
 *   connection whose response the client already has: a client may already be sending a request
 *   on it. Jetty's own {@code connector.shutdown()} is not used, because it would close that last
 *   kind under the client's next request.</li>
 *   <li>{@link #closeIdle()}: closes every HTTP/1 connection on which nothing is being read or
 *   served; a connection still reading or answering a request (the filter refuses it with a 503
 *   after the final close) is left to finish, and closed when it becomes idle, for up to the
 *   connection close timeout; then stops the server, so that no selector thread is left to delay
 *   the JVM's exit.</li>
 *   <li>{@link #forceClose()}: closes every connection and stops the server.</li>
 * </ul>
 *
 * <p>Connections of other protocols (HTTP/2, WebSocket) are not judged idle; they close when the
 * server stops.
 */
public final class JettyParticipant extends DrainingParticipant {

    private static final Logger log = LoggerFactory.getLogger(JettyParticipant.class);

    private final Server server;
    private final JettyInternals internals;

    private JettyParticipant(Builder b) {
        super(b.drain(new Connections(b.server, b.internals)));
        this.server = b.server;
        this.internals = b.internals;
    }

    /**
     * A participant with the defaults: stops the whole server at the end, waits at most
     * {@link GracefulConfig#DEFAULT_CLOSE_TIMEOUT} for busy connections.
     *
     * @param server the server
     * @return the participant (not registered)
     */
    public static JettyParticipant of(Server server) {
        return builder(server).build();
    }

    /**
     * Creates a participant whose connection close timeout is {@code graceful}'s
     * {@link GracefulConfig#closeTimeout()}, and registers it.
     *
     * @param graceful the coordinator
     * @param server   the server
     * @return the registered participant
     */
    public static JettyParticipant register(GracefulShutdown graceful, Server server) {
        return ParticipantBuilder.register(graceful, builder(server));
    }

    /**
     * A builder.
     *
     * @param server the server
     * @return the builder
     */
    public static Builder builder(Server server) {
        return new Builder(Objects.requireNonNull(server, "server"));
    }

    @Override
    public CompletableFuture<Void> stopAccepting() {
        listenersClosing();
        int closing = 0;
        for (Connector c : server.getConnectors()) {
            // Jetty's own connector.shutdown() is not used: it makes every later send
            // non-persistent, even the empty last one of an exchange whose bytes the client already
            // has (see JettyInternals). Keep-alive is switched off where Jetty decides it before
            // any byte of a response, when a request's headers are parsed.
            for (ConnectionFactory factory : c.getConnectionFactories()) {
                if (factory instanceof HttpConnectionFactory http) {
                    http.getHttpConfiguration().setPersistentConnectionsEnabled(false);
                }
            }
            // Before the listener closes, so that a client who sees new connects refused knows its
            // response in progress will ask to close; a request parsed after the switch above needs
            // no mark.
            for (EndPoint endPoint : c.getConnectedEndPoints()) {
                if (internals.closeAfterResponse(endPoint)) {
                    closing++;
                }
            }
            if (c instanceof NetworkConnector network) {
                closeListener(network);
            }
        }
        log.debug("{}: listener closed; {} connection(s) will close after their response", name(), closing);
        return CompletableFuture.completedFuture(null);
    }

    private static void closeListener(NetworkConnector connector) {
        // With acceptors > 0 this closes the channel, and the acceptor threads end quietly.
        connector.close();
        // With acceptors=0 Jetty accepts on a selector and close() leaves the channel open, which
        // would queue new connections in the backlog until the server stops.
        if (connector.getTransport() instanceof ServerSocketChannel channel && channel.isOpen()) {
            if (connector instanceof AbstractConnector accepting) {
                accepting.setAccepting(false);
            }
            try {
                channel.close();
            } catch (IOException e) {
                log.warn("Could not close the listening socket of {}", connector, e);
            }
        }
    }

    /** The server's connections, as the drain sees them. */
    private record Connections(Server server, JettyInternals internals) implements ConnectionDrain.Server {

        @Override
        public String ports() {
            StringBuilder sb = new StringBuilder();
            for (Connector c : server.getConnectors()) {
                if (c instanceof NetworkConnector n) {
                    ConnectionDrain.appendPort(sb, n.getLocalPort(), n.getPort());
                }
            }
            return sb.toString();
        }

        @Override
        public int closeIdle() {
            return closeEndPoints(false);
        }

        @Override
        public int closeAll() {
            return closeEndPoints(true);
        }

        // A flag, not a predicate: a lambda here would be linked for the first time at shutdown.
        private int closeEndPoints(boolean all) {
            int closed = 0;
            for (Connector c : server.getConnectors()) {
                for (EndPoint endPoint : new ArrayList<>(c.getConnectedEndPoints())) {
                    if (all || internals.servesNoRequest(endPoint)) {
                        endPoint.close();
                        closed++;
                    }
                }
            }
            return closed;
        }

        @Override
        public long open() {
            // Jetty tells no one when a connection becomes idle.
            int open = 0;
            for (Connector c : server.getConnectors()) {
                open += c.getConnectedEndPoints().size();
            }
            return open;
        }

        @Override
        public void stop(boolean wholeServer) throws Exception {
            if (wholeServer) {
                server.stop();
            } else {
                for (Connector c : server.getConnectors()) {
                    c.stop();
                }
            }
        }
    }

    /** Builds a {@link JettyParticipant}. */
    public static final class Builder extends ParticipantBuilder<Builder, JettyParticipant> {

        private ConnectionDrain drain(ConnectionDrain.Server server) {
            return new ConnectionDrain("jetty", stopsServer(), closeTimeout(), server, log);
        }

        private final Server server;
        private JettyInternals internals = JettyInternals.running();

        private Builder(Server server) {
            this.server = server;
        }

        /** For tests: Jetty's members as a test checked them (some hidden). */
        Builder internals(JettyInternals value) {
            this.internals = Objects.requireNonNull(value, "internals");
            return this;
        }

        @Override
        public JettyParticipant build() {
            return new JettyParticipant(this);
        }
    }
}
