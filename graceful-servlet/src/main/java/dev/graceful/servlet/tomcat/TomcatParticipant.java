package dev.graceful.servlet.tomcat;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.ParticipantBuilder;
import dev.graceful.servlet.internal.Background;
import dev.graceful.servlet.internal.ConnectionDrain;
import dev.graceful.servlet.internal.DrainingParticipant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes an embedded Tomcat 11 through graceful's shutdown sequence.
 *
 * <pre>{@code
 * Tomcat tomcat = new Tomcat();
 * tomcat.setPort(8080);
 * Context context = tomcat.addContext("", null);
 * GracefulValve.install(context, graceful);
 * TomcatParticipant.register(graceful, tomcat);   // before tomcat.start()
 * tomcat.getConnector();
 * tomcat.start();
 * }</pre>
 *
 * <ul>
 *   <li>{@link #stopAccepting()}: closes each connector's listening socket, so new connects are
 *   refused, not queued: directly, after parking Tomcat's acceptor, so that every connection is
 *   either accepted and served or refused (Tomcat's own {@code closeServerSocketGraceful}, the
 *   fallback on a Tomcat other than 11.0.x or whose internals changed, stops the acceptor first
 *   and drops or resets connections arriving meanwhile). The connector is <em>not</em> paused, because a paused
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
public final class TomcatParticipant extends DrainingParticipant {

    private static final Logger log = LoggerFactory.getLogger(TomcatParticipant.class);
    /** As long as Tomcat itself waits for its acceptor to unlock. */
    private static final Duration ACCEPTOR_PARK_TIMEOUT = Duration.ofSeconds(1);

    private final TomcatInternals internals;
    private final TomcatConnections connections;
    private final CloseAfterResponse closeAfterResponse;
    /** Made here, not at shutdown: see {@link Background}. */
    private final Background stoppingAccepting =
            new Background("graceful-tomcat-stop-accepting", this::stopAcceptingAll);

    private final Background followingDispatches;

    private TomcatParticipant(Builder b) {
        this(b, new TomcatConnections(b.tomcat, b.connectors, b.internals));
    }

    private TomcatParticipant(Builder b, TomcatConnections connections) {
        super(b.drain(connections));
        this.internals = b.internals;
        this.connections = connections;
        this.closeAfterResponse = new CloseAfterResponse(b.internals);
        this.followingDispatches =
                new Background("graceful-tomcat-close-after-response", closeAfterResponse::followDispatches);
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
        return ParticipantBuilder.register(graceful, builder(tomcat));
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

    @Override
    public CompletableFuture<Void> stopAccepting() {
        listenersClosing();
        // Waking Tomcat's acceptor connects to the listener, and may wait for the acceptor: not on
        // the engine's thread.
        return stoppingAccepting.start();
    }

    private void stopAcceptingAll() {
        // No lambda here: a class first loaded after the signal is linked on the exit's path
        // (docs/architecture.md, "A rehearsal of the shutdown").
        List<Connector> available = new ArrayList<>();
        for (Connector connector : connections.connectors()) {
            if (connector.getState().isAvailable()) {
                available.add(connector);
            }
        }
        // Before the listeners close, so that a client who sees new connects refused knows its
        // response in progress will ask to close (as on Jetty); a request read after the close
        // gets no keep-alive from Tomcat itself.
        int closing = 0;
        for (Connector connector : available) {
            AbstractEndpoint<?, ?> endpoint = internals.endpoint(connector.getProtocolHandler());
            if (endpoint != null) {
                closing += closeAfterResponse.askAll(endpoint.getConnections());
            }
        }
        int inDispatch = closeAfterResponse.inDispatch();
        if (inDispatch > 0) {
            // On a thread of its own: a synchronous request may hold its connection for long.
            followingDispatches.start();
        }
        for (Connector connector : available) {
            closeListener(connector);
        }
        log.debug(
                "{}: listeners closed; {} connection(s) will close after their response, {} held by a dispatch "
                        + "will be asked when it returns",
                name(),
                closing,
                inDispatch);
    }

    private void closeListener(Connector connector) {
        AbstractEndpoint<?, ?> endpoint = internals.endpoint(connector.getProtocolHandler());
        if (endpoint == null || !internals.closeServerSocket(endpoint, ACCEPTOR_PARK_TIMEOUT)) {
            // Tomcat's own way: its acceptor may drop or reset connections arriving meanwhile.
            connector.getProtocolHandler().closeServerSocketGraceful();
        }
        if (connector.getLocalPort() > 0) {
            log.warn(
                    "{}: connector {} still listens after closing its socket; new connections will queue "
                            + "until it stops (was it bound at init?)",
                    name(),
                    connector);
        }
    }

    private static void prepare(Connector connector, TomcatInternals internals) {
        if (connector.getState() == LifecycleState.NEW) {
            connector.setProperty("bindOnInit", "false");
            return;
        }
        AbstractEndpoint<?, ?> endpoint = internals.endpoint(connector.getProtocolHandler());
        if (endpoint != null && endpoint.getBindOnInit() && connector.getState() != LifecycleState.DESTROYED) {
            throw new IllegalStateException("Tomcat connector on port " + connector.getPort() + " was bound at init "
                    + "(bindOnInit=true, Tomcat's default), so its listening socket cannot be closed before it stops and "
                    + "new connections would queue instead of being refused: create the participant before "
                    + "tomcat.start(), or call connector.setProperty(\"bindOnInit\", \"false\") before starting it");
        }
    }

    /** Builds a {@link TomcatParticipant}. */
    public static final class Builder extends ParticipantBuilder<Builder, TomcatParticipant> {

        private ConnectionDrain drain(ConnectionDrain.Server server) {
            return new ConnectionDrain("tomcat", stopsServer(), closeTimeout(), server, log);
        }

        private final Tomcat tomcat;
        private final List<Connector> connectors;
        private TomcatInternals internals = TomcatInternals.running();

        private Builder(Tomcat tomcat, List<Connector> connectors) {
            this.tomcat = tomcat;
            this.connectors = connectors;
        }

        /** For tests: Tomcat's members as a test resolved them (some hidden, another version). */
        Builder internals(TomcatInternals value) {
            this.internals = Objects.requireNonNull(value, "internals");
            return this;
        }

        /**
         * Builds the participant, arranging for its connectors to bind at start.
         *
         * @return the participant (not registered)
         * @throws IllegalStateException when a connector was already bound at init
         */
        @Override
        public TomcatParticipant build() {
            if (tomcat == null) {
                connectors.forEach(connector -> prepare(connector, internals));
                return new TomcatParticipant(this);
            }
            org.apache.catalina.Server server = tomcat.getServer();
            if (server.getState() != LifecycleState.NEW) {
                prepareAll(server);
                return new TomcatParticipant(this);
            }
            // Connectors may still be added (tomcat.getConnector() creates the default one lazily):
            // prepare them all when the server initializes.
            server.addLifecycleListener(event -> {
                if (Lifecycle.BEFORE_INIT_EVENT.equals(event.getType())) {
                    prepareAll(server);
                }
            });
            return new TomcatParticipant(this);
        }

        private void prepareAll(org.apache.catalina.Server server) {
            for (Service service : server.findServices()) {
                for (Connector connector : service.findConnectors()) {
                    prepare(connector, internals);
                }
            }
        }
    }
}
