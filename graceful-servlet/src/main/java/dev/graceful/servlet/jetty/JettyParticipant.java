package dev.graceful.servlet.jetty;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Participant;
import dev.graceful.servlet.internal.Background;
import dev.graceful.servlet.internal.JettyInternals;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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
public final class JettyParticipant implements Participant {

    private static final Logger log = LoggerFactory.getLogger(JettyParticipant.class);

    private final Server server;
    private final boolean stopServer;
    private final Duration connectionCloseTimeout;
    private volatile String ports = "";

    private JettyParticipant(Builder b) {
        this.server = b.server;
        this.stopServer = b.stopServer;
        this.connectionCloseTimeout = b.connectionCloseTimeout;
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
        Objects.requireNonNull(graceful, "graceful");
        JettyParticipant participant = builder(server).connectionCloseTimeout(graceful.config().closeTimeout()).build();
        graceful.register(participant);
        return participant;
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
    public String name() {
        String p = ports.isEmpty() ? ports() : ports;
        return "jetty " + p;
    }

    private String ports() {
        StringBuilder sb = new StringBuilder();
        for (Connector c : server.getConnectors()) {
            if (c instanceof NetworkConnector) {
                NetworkConnector n = (NetworkConnector) c;
                sb.append(sb.length() == 0 ? ":" : ", :").append(n.getLocalPort() > 0 ? n.getLocalPort() : n.getPort());
            }
        }
        return sb.toString();
    }

    @Override
    public CompletableFuture<Void> stopAccepting() {
        ports = ports();
        int closing = 0;
        for (Connector c : server.getConnectors()) {
            if (c instanceof NetworkConnector) {
                closeListener((NetworkConnector) c);
            }
            // Jetty's own connector.shutdown() is not used: it makes every later send
            // non-persistent, even the empty last one of an exchange whose bytes the client already
            // has (see JettyInternals). Keep-alive is switched off where Jetty decides it before
            // any byte of a response, when a request's headers are parsed.
            for (ConnectionFactory factory : c.getConnectionFactories()) {
                if (factory instanceof HttpConnectionFactory) {
                    ((HttpConnectionFactory) factory).getHttpConfiguration().setPersistentConnectionsEnabled(false);
                }
            }
            for (EndPoint endPoint : c.getConnectedEndPoints()) {
                if (JettyInternals.closeAfterResponse(endPoint)) {
                    closing++;
                }
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
        if (connector.getTransport() instanceof ServerSocketChannel) {
            ServerSocketChannel channel = (ServerSocketChannel) connector.getTransport();
            if (channel.isOpen()) {
                if (connector instanceof AbstractConnector) {
                    ((AbstractConnector) connector).setAccepting(false);
                }
                try {
                    channel.close();
                } catch (IOException e) {
                    log.warn("Could not close the listening socket of {}", connector, e);
                }
            }
        }
    }

    @Override
    public CompletableFuture<Void> closeIdle() {
        return Background.run("graceful-jetty-close", () -> {
            int closed = closeEndPoints(JettyInternals::isIdle);
            log.debug("{}: closed {} idle connection(s)", name(), closed);
            awaitConnectionsClosed();
            stop();
        });
    }

    @Override
    public CompletableFuture<Void> forceClose() {
        return Background.run("graceful-jetty-force-close", () -> {
            int closed = closeEndPoints(endPoint -> true);
            log.debug("{}: force-closed {} connection(s)", name(), closed);
            stop();
        });
    }

    private int closeEndPoints(Predicate<EndPoint> which) {
        int closed = 0;
        for (Connector c : server.getConnectors()) {
            for (EndPoint endPoint : new ArrayList<>(c.getConnectedEndPoints())) {
                if (which.test(endPoint)) {
                    endPoint.close();
                    closed++;
                }
            }
        }
        return closed;
    }

    private int openConnections() {
        int open = 0;
        for (Connector c : server.getConnectors()) {
            open += c.getConnectedEndPoints().size();
        }
        return open;
    }

    /**
     * Waits for busy connections to close, closing those that become idle meanwhile: an exchange
     * Jetty completes after the first sweep leaves its (persistent) connection idle, and a
     * request still being read ends with the filter's 503 and {@code Connection: close}.
     */
    private void awaitConnectionsClosed() throws InterruptedException {
        long deadline = System.nanoTime() + connectionCloseTimeout.toNanos();
        // Jetty tells no one when a connection becomes idle; this runs once per shutdown, on its own thread.
        while (openConnections() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                log.info("{}: {} connection(s) still busy after {}; stopping the server anyway", name(),
                        openConnections(), Durations.format(connectionCloseTimeout));
                return;
            }
            TimeUnit.MILLISECONDS.sleep(5);
            closeEndPoints(JettyInternals::isIdle);
        }
    }

    private void stop() throws Exception {
        if (stopServer) {
            server.stop();
        } else {
            for (Connector c : server.getConnectors()) {
                c.stop();
            }
        }
    }

    @Override
    public String toString() {
        return "JettyParticipant[" + name() + "]";
    }

    /** Builds a {@link JettyParticipant}. */
    public static final class Builder {
        private final Server server;
        private boolean stopServer = true;
        private Duration connectionCloseTimeout = GracefulConfig.DEFAULT_CLOSE_TIMEOUT;

        private Builder(Server server) {
            this.server = server;
        }

        /**
         * Whether {@code closeIdle}/{@code forceClose} stop the whole server (the default: an
         * embedded application's {@code server.join()} then returns) or only its connectors (when
         * a framework owns the server's lifecycle and stops it later).
         *
         * @param value {@code true} to stop the server
         * @return this builder
         */
        public Builder stopServer(boolean value) {
            this.stopServer = value;
            return this;
        }

        /**
         * How long {@code closeIdle} waits for connections still reading or answering a request
         * before it stops the server anyway.
         *
         * @param value 1ms to 1 minute
         * @return this builder
         */
        public Builder connectionCloseTimeout(Duration value) {
            this.connectionCloseTimeout = dev.graceful.Durations.requireBetween("connectionCloseTimeout", value,
                    Duration.ofMillis(1), Duration.ofMinutes(1));
            return this;
        }

        /**
         * Builds the participant.
         *
         * @return the participant (not registered)
         */
        public JettyParticipant build() {
            return new JettyParticipant(this);
        }
    }
}
