package dev.graceful.servlet.jetty;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Participant;
import dev.graceful.servlet.internal.Background;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;
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
 *   refused, not queued) and enters Jetty's graceful shutdown, in which every response gets
 *   {@code Connection: close}, or, when already committed, has the connection closed after it.
 *   Idle kept-alive connections stay open: a client may already have sent a request on one
 *   (Jetty's shutdown idle timeout, which would close them, is disabled).</li>
 *   <li>{@link #closeIdle()}: closes every HTTP/1 connection on which nothing is being read or
 *   served; a connection still reading or answering a request (the filter refuses it with a 503
 *   after the final close) is left to finish, for up to the connection close timeout; then stops
 *   the server, so that no selector thread is left to delay the JVM's exit.</li>
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
    private final List<CompletableFuture<Void>> connectorsShutDown = new CopyOnWriteArrayList<>();
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
        for (Connector c : server.getConnectors()) {
            if (c instanceof AbstractConnector) {
                AbstractConnector connector = (AbstractConnector) c;
                // Closing idle connections now would race with requests clients are sending on
                // them; they stay open until the final close (closeIdle).
                connector.setShutdownIdleTimeout(-1);
                // Closes the listener (network connectors) and makes every later response
                // non-persistent; completes once the connector has no connection left.
                connectorsShutDown.add(connector.shutdown());
            }
            if (c instanceof NetworkConnector) {
                closeListener((NetworkConnector) c);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    private static void closeListener(NetworkConnector connector) {
        // With acceptors=0 Jetty accepts on a selector and leaves the channel open on close(),
        // which would queue new connections in the backlog until the server stops.
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
            int closed = closeEndPoints(JettyParticipant::isIdle);
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

    /**
     * Whether nothing is being read or served on the connection. The checks follow the order in
     * which a new request shows up (bytes buffered, then the parser leaves START, then the request
     * exists), so a request arriving during the checks is seen by a later one.
     */
    static boolean isIdle(EndPoint endPoint) {
        Connection connection = endPoint.getConnection();
        if (connection instanceof SslConnection) {
            connection = ((SslConnection) connection).getSslEndPoint().getConnection();
        }
        try {
            if (connection instanceof HttpConnection) {
                HttpConnection http = (HttpConnection) connection;
                return http.isRequestBufferEmpty() && http.getParser().isStart()
                        && http.getHttpChannel().getRequest() == null;
            }
        } catch (LinkageError inaccessible) {
            // Jetty on the module path does not export its HTTP/1 connection class: the
            // connection then closes when the server stops.
            log.debug("Cannot inspect {}", connection, inaccessible);
        }
        return false;
    }

    private void awaitConnectionsClosed() throws InterruptedException {
        CompletableFuture<Void> all = CompletableFuture.allOf(connectorsShutDown.toArray(CompletableFuture[]::new));
        try {
            all.get(connectionCloseTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            log.info("{}: connections still busy after {}; stopping the server anyway", name(), connectionCloseTimeout);
        } catch (java.util.concurrent.ExecutionException e) {
            log.debug("{}: connector shutdown failed", name(), e.getCause());
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
            Objects.requireNonNull(value, "connectionCloseTimeout");
            if (value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("connectionCloseTimeout must be between 1ms and 1m, was "
                        + dev.graceful.Durations.format(value) + " (" + value + ")");
            }
            this.connectionCloseTimeout = value;
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
