package dev.graceful.servlet.tomcat;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Participant;
import dev.graceful.servlet.internal.Background;
import dev.graceful.servlet.internal.TomcatInternals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes an embedded Tomcat 11 through graceful's shutdown sequence.
 *
 * <pre>{@code
 * Tomcat tomcat = new Tomcat();
 * tomcat.setPort(8080);
 * Context context = tomcat.addContext("", null);
 * context.addServletContainerInitializer(GracefulServlet.initializer(graceful), null);
 * TomcatParticipant.register(graceful, tomcat);   // before tomcat.start()
 * tomcat.getConnector();
 * tomcat.start();
 * }</pre>
 *
 * <ul>
 *   <li>{@link #stopAccepting()}: closes each connector's listening socket, so new connects are
 *   refused, not queued: directly, after parking Tomcat's acceptor, so that every connection is
 *   either accepted and served or refused (Tomcat's own {@code closeServerSocketGraceful}, the
 *   fallback if Tomcat's internals change, stops the acceptor first and drops or resets
 *   connections arriving meanwhile). The connector is <em>not</em> paused, because a paused
 *   Tomcat answers every request on a kept-alive connection with a 503, and a request the client
 *   already sent must be served. Requests read from then on close their connection after the
 *   response; so do requests in flight whose response the client does not have entirely yet
 *   (not committed: {@code Connection: close}; a stream: closed after its last byte). A
 *   connection whose response the client already has stays open: the client may be sending its
 *   next request on it.</li>
 *   <li>{@link #closeIdle()}: closes every connection on which nothing is being read or served; a
 *   connection still reading or answering a request is left to finish (the filter refuses it with
 *   a 503 after the final close), and closed when it becomes idle, for up to the connection close
 *   timeout; then stops Tomcat, so no poller thread is left to delay the JVM's exit.</li>
 *   <li>{@link #forceClose()}: closes every connection and stops Tomcat.</li>
 * </ul>
 *
 * <p>Tomcat can close its listening socket early only when it bound it at start, not at init: the
 * factories therefore set the connector property {@code bindOnInit=false} (as Spring Boot does),
 * and refuse a connector that was already bound at init.
 */
public final class TomcatParticipant implements Participant {

    private static final Logger log = LoggerFactory.getLogger(TomcatParticipant.class);
    /** As long as Tomcat itself waits for its acceptor to unlock. */
    private static final Duration ACCEPTOR_PARK_TIMEOUT = Duration.ofSeconds(1);

    private final Tomcat tomcat;
    private final List<Connector> connectors;
    private final boolean stopServer;
    private final Duration connectionCloseTimeout;
    private volatile String ports = "";

    private TomcatParticipant(Builder b) {
        this.tomcat = b.tomcat;
        this.connectors = b.connectors;
        this.stopServer = b.stopServer && b.tomcat != null;
        this.connectionCloseTimeout = b.connectionCloseTimeout;
    }

    /**
     * A participant for every connector of {@code tomcat} that stops the whole server at the end.
     * Create it before {@code tomcat.start()}.
     *
     * @param tomcat the server
     * @return the participant (not registered)
     * @throws IllegalStateException when a connector was already bound at init
     */
    public static TomcatParticipant of(Tomcat tomcat) {
        return builder(tomcat).build();
    }

    /**
     * A participant for one connector that stops only that connector at the end (for a server
     * whose lifecycle a framework owns). Create it before the connector starts, or set
     * {@code bindOnInit=false} on it.
     *
     * @param connector the connector
     * @return the participant (not registered)
     * @throws IllegalStateException when the connector was already bound at init
     */
    public static TomcatParticipant of(Connector connector) {
        return builder(connector).build();
    }

    /**
     * Creates a participant for every connector of {@code tomcat} whose connection close timeout
     * is {@code graceful}'s {@link GracefulConfig#closeTimeout()}, and registers it. Call it
     * before {@code tomcat.start()}.
     *
     * @param graceful the coordinator
     * @param tomcat   the server
     * @return the registered participant
     * @throws IllegalStateException when a connector was already bound at init
     */
    public static TomcatParticipant register(GracefulShutdown graceful, Tomcat tomcat) {
        Objects.requireNonNull(graceful, "graceful");
        TomcatParticipant participant = builder(tomcat).connectionCloseTimeout(graceful.config().closeTimeout()).build();
        graceful.register(participant);
        return participant;
    }

    /**
     * A builder for every connector of {@code tomcat}.
     *
     * @param tomcat the server
     * @return the builder
     */
    public static Builder builder(Tomcat tomcat) {
        return new Builder(Objects.requireNonNull(tomcat, "tomcat"), null);
    }

    /**
     * A builder for the given connectors only.
     *
     * @param connectors the connectors
     * @return the builder
     */
    public static Builder builder(Connector... connectors) {
        List<Connector> list = List.of(connectors);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("connectors must not be empty");
        }
        return new Builder(null, list);
    }

    private List<Connector> connectors() {
        if (connectors != null) {
            return connectors;
        }
        List<Connector> all = new ArrayList<>();
        for (Service service : tomcat.getServer().findServices()) {
            Collections.addAll(all, service.findConnectors());
        }
        return all;
    }

    @Override
    public String name() {
        return "tomcat " + (ports.isEmpty() ? ports() : ports);
    }

    private String ports() {
        StringBuilder sb = new StringBuilder();
        for (Connector c : connectors()) {
            sb.append(sb.length() == 0 ? ":" : ", :").append(c.getLocalPort() > 0 ? c.getLocalPort() : c.getPort());
        }
        return sb.toString();
    }

    @Override
    public CompletableFuture<Void> stopAccepting() {
        ports = ports();
        // Waking Tomcat's acceptor connects to the listener, and may wait for the acceptor: not on
        // the engine's thread.
        return Background.run("graceful-tomcat-stop-accepting", () -> {
            for (Connector connector : connectors()) {
                if (!connector.getState().isAvailable()) {
                    continue;
                }
                AbstractEndpoint<?, ?> endpoint = TomcatInternals.endpoint(connector.getProtocolHandler());
                if (endpoint == null || !TomcatInternals.closeServerSocket(endpoint, ACCEPTOR_PARK_TIMEOUT)) {
                    // Tomcat's own way: its acceptor may drop or reset connections arriving meanwhile.
                    connector.getProtocolHandler().closeServerSocketGraceful();
                }
                if (connector.getLocalPort() > 0) {
                    log.warn("{}: connector {} still listens after closing its socket; new connections will queue "
                            + "until it stops (was it bound at init?)", name(), connector);
                }
                int closing = 0;
                if (endpoint != null) {
                    for (SocketWrapperBase<?> wrapper : endpoint.getConnections()) {
                        // Requests between reads (asynchronous, or a partly read request) keep their
                        // processor on the connection; requests running on a thread get their
                        // Connection: close from GracefulFilter when they finish.
                        if (TomcatInternals.closeAfterResponse(wrapper.getCurrentProcessor())) {
                            closing++;
                        }
                    }
                }
                log.debug("{}: listener closed; {} connection(s) will close after their response", name(), closing);
            }
        });
    }

    @Override
    public CompletableFuture<Void> closeIdle() {
        return Background.run("graceful-tomcat-close", () -> {
            int closed = closeIdleConnections();
            log.debug("{}: closed {} idle connection(s)", name(), closed);
            awaitConnectionsClosed();
            stop();
        });
    }

    private int closeIdleConnections() {
        int closed = 0;
        for (Connector connector : connectors()) {
            AbstractEndpoint<?, ?> endpoint = TomcatInternals.endpoint(connector.getProtocolHandler());
            if (endpoint != null) {
                for (SocketWrapperBase<?> wrapper : endpoint.getConnections()) {
                    if (closeIfIdle(wrapper)) {
                        closed++;
                    }
                }
            }
        }
        return closed;
    }

    /**
     * Closes the connection when nothing is being read or served on it. Tomcat processes a
     * connection only while holding its lock and keeps a processor on it between reads of a
     * partly read or asynchronous request, so "lock free and no processor" is "idle"; holding
     * the lock while closing keeps a request from starting in between.
     */
    private static boolean closeIfIdle(SocketWrapperBase<?> wrapper) {
        ReentrantLock lock = wrapper.getLock();
        if (!lock.tryLock()) {
            return false;
        }
        try {
            if (wrapper.isClosed() || wrapper.getCurrentProcessor() != null) {
                return false;
            }
            wrapper.close();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Void> forceClose() {
        return Background.run("graceful-tomcat-force-close", () -> {
            for (Connector connector : connectors()) {
                AbstractEndpoint<?, ?> endpoint = TomcatInternals.endpoint(connector.getProtocolHandler());
                if (endpoint != null) {
                    for (SocketWrapperBase<?> wrapper : endpoint.getConnections()) {
                        wrapper.close();
                    }
                }
            }
            stop();
        });
    }

    /**
     * Waits for busy connections to close, closing those that become idle meanwhile: an exchange
     * Tomcat finishes after the first sweep leaves its (kept-alive) connection idle, and a request
     * still being read ends with the filter's 503 and {@code Connection: close}.
     */
    private void awaitConnectionsClosed() throws InterruptedException {
        long deadline = System.nanoTime() + connectionCloseTimeout.toNanos();
        // Tomcat has no close notification to wait on; this runs once per shutdown, on its own thread.
        while (openConnections() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                log.info("{}: {} connection(s) still busy after {}; stopping anyway", name(), openConnections(),
                        Durations.format(connectionCloseTimeout));
                return;
            }
            TimeUnit.MILLISECONDS.sleep(5);
            closeIdleConnections();
        }
    }

    private long openConnections() {
        long open = 0;
        for (Connector connector : connectors()) {
            AbstractEndpoint<?, ?> endpoint = TomcatInternals.endpoint(connector.getProtocolHandler());
            if (endpoint != null && connector.getState().isAvailable()) {
                open += endpoint.getConnections().size();
            }
        }
        return open;
    }

    private void stop() throws Exception {
        if (stopServer) {
            tomcat.stop();
        } else {
            for (Connector connector : connectors()) {
                connector.stop();
            }
        }
    }

    @Override
    public String toString() {
        return "TomcatParticipant[" + name() + "]";
    }

    private static void prepare(Connector connector) {
        if (connector.getState() == LifecycleState.NEW) {
            connector.setProperty("bindOnInit", "false");
            return;
        }
        AbstractEndpoint<?, ?> endpoint = TomcatInternals.endpoint(connector.getProtocolHandler());
        if (endpoint != null && endpoint.getBindOnInit() && connector.getState() != LifecycleState.DESTROYED) {
            throw new IllegalStateException("Tomcat connector on port " + connector.getPort() + " was bound at init "
                    + "(bindOnInit=true, Tomcat's default), so its listening socket cannot be closed before it stops and "
                    + "new connections would queue instead of being refused: create the participant before "
                    + "tomcat.start(), or call connector.setProperty(\"bindOnInit\", \"false\") before starting it");
        }
    }

    /** Builds a {@link TomcatParticipant}. */
    public static final class Builder {
        private final Tomcat tomcat;
        private final List<Connector> connectors;
        private boolean stopServer = true;
        private Duration connectionCloseTimeout = GracefulConfig.DEFAULT_CLOSE_TIMEOUT;

        private Builder(Tomcat tomcat, List<Connector> connectors) {
            this.tomcat = tomcat;
            this.connectors = connectors;
        }

        /**
         * Whether {@code closeIdle}/{@code forceClose} stop the whole Tomcat (the default when
         * built from a {@link Tomcat}) or only the connectors (always so when built from
         * connectors).
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
         * before it stops anyway.
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
         * Builds the participant, arranging for its connectors to bind at start.
         *
         * @return the participant (not registered)
         * @throws IllegalStateException when a connector was already bound at init
         */
        public TomcatParticipant build() {
            if (tomcat != null) {
                org.apache.catalina.Server server = tomcat.getServer();
                if (server.getState() == LifecycleState.NEW) {
                    // Connectors may still be added (tomcat.getConnector() creates the default one
                    // lazily): prepare them all when the server initializes.
                    server.addLifecycleListener(event -> {
                        if (Lifecycle.BEFORE_INIT_EVENT.equals(event.getType())) {
                            for (Service service : server.findServices()) {
                                for (Connector connector : service.findConnectors()) {
                                    prepare(connector);
                                }
                            }
                        }
                    });
                } else {
                    for (Service service : server.findServices()) {
                        for (Connector connector : service.findConnectors()) {
                            prepare(connector);
                        }
                    }
                }
            } else {
                connectors.forEach(TomcatParticipant::prepare);
            }
            return new TomcatParticipant(this);
        }
    }
}
