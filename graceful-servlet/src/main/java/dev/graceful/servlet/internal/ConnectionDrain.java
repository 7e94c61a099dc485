package dev.graceful.servlet.internal;

import dev.graceful.Durations;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The half of a server participant that does not depend on the server: its name, and the final
 * close (close what is idle, wait for the rest to become idle up to the connection close timeout,
 * stop) and the forced one. The Jetty and Tomcat participants each supply their {@link Server}.
 */
public final class ConnectionDrain {

    /**
     * How long a connection still short of a complete request head must have delivered nothing
     * before the final close closes it. A client that keeps sending finishes its head and is
     * answered 503 with {@code Connection: close} (and counted refused); a stalled one, such as a
     * slow client at 1 byte/s, is closed within this time instead of holding the exit until the
     * connection close timeout. 100 ms: far above the gap between a live client's packets, far
     * below a stalled one's, and within the 100 ms the exit may follow the last completion.
     */
    public static final long STALLED_HEAD_QUIET_MILLIS = 100;

    /** What a participant knows about its server's connections. */
    public interface Server {
        /**
         * The ports, as {@code ":8080, :8443"} (see {@link #appendPort}).
         *
         * @return the ports
         */
        String ports();

        /**
         * Closes every connection on which no request is being served: idle ones, and those still
         * short of a complete request head that delivered no bytes for {@link ConnectionDrain#STALLED_HEAD_QUIET_MILLIS} ms
         * (a stalled client: no work, and nothing the application saw).
         *
         * @return how many were closed
         */
        int closeIdle();

        /**
         * Closes every connection.
         *
         * @return how many were closed
         */
        int closeAll();

        /**
         * The connections still open.
         *
         * @return how many
         */
        long open();

        /**
         * Before a forced close: the process is leaving, so the coming stop must not wait for
         * the application's requests (a stuck servlet thread, an asynchronous request never
         * completed), only for the server's own threads. Nothing to do by default.
         */
        default void leaving() {}

        /**
         * Stops the server, or only its connectors.
         *
         * @param wholeServer whether the builder asked to stop the whole server
         * @throws Exception on failure
         */
        void stop(boolean wholeServer) throws Exception;
    }

    private final String kind;
    private final Server server;
    private final Logger log;
    private final boolean stopServer;
    private final Duration connectionCloseTimeout;
    // Made here, not at shutdown: see Background.
    private final Background closing;
    private final Background forceClosing;
    private volatile String ports = "";

    /**
     * A drain for one participant.
     *
     * @param kind     {@code "jetty"} or {@code "tomcat"}: the name's prefix, and in thread names
     * @param stopServer             whether closing stops the whole server, not only its connectors
     * @param connectionCloseTimeout how long the final close waits for busy connections
     * @param server   the participant's server
     * @param log      the participant's logger
     */
    public ConnectionDrain(
            String kind, boolean stopServer, Duration connectionCloseTimeout, Server server, Logger log) {
        this.kind = kind;
        this.server = server;
        this.log = log;
        this.stopServer = stopServer;
        this.connectionCloseTimeout = connectionCloseTimeout;
        this.closing = new Background("graceful-" + kind + "-close", this::closeIdleThenStop);
        this.forceClosing = new Background("graceful-" + kind + "-force-close", this::closeAllThenStop);
    }

    /**
     * Appends {@code ":port"} (the bound port when there is one), comma-separated.
     *
     * @param ports      the ports so far
     * @param localPort  the bound port, or 0 or less when not bound
     * @param configured the configured port
     */
    public static void appendPort(StringBuilder ports, int localPort, int configured) {
        ports.append(ports.length() == 0 ? ":" : ", :").append(localPort > 0 ? localPort : configured);
    }

    /**
     * The participant's name, with the ports it listened on even after its listeners closed.
     *
     * @return e.g. {@code "jetty :8080"}
     */
    public String name() {
        return kind + " " + (ports.isEmpty() ? server.ports() : ports);
    }

    /** Remembers the bound ports, before the listeners close and forget them. */
    public void listenersClosing() {
        ports = server.ports();
    }

    /**
     * Closes the idle connections, waits for the busy ones, then stops.
     *
     * @return completes when stopped
     */
    public CompletableFuture<Void> closeIdle() {
        return closing.start();
    }

    private void closeIdleThenStop() throws Exception {
        int closed = server.closeIdle();
        log.debug("{}: closed {} idle connection(s)", name(), closed);
        awaitConnectionsClosed();
        server.stop(stopServer);
    }

    /**
     * Closes every connection, then stops without waiting for the application's requests (see
     * {@link Server#leaving()}). The server's own threads are still stopped: the JVM's exit waits
     * up to 300 ms for threads blocked in a system call, such as a selector's.
     *
     * @return completes when stopped
     */
    public CompletableFuture<Void> forceClose() {
        return forceClosing.start();
    }

    private void closeAllThenStop() throws Exception {
        server.leaving();
        int closed = server.closeAll();
        log.debug("{}: force-closed {} connection(s)", name(), closed);
        server.stop(stopServer);
    }

    /**
     * Waits for busy connections to close, closing those that become idle meanwhile: an exchange
     * the server finishes after the first sweep leaves its kept-alive connection idle, and a
     * request still being read ends with the filter's 503 and {@code Connection: close}.
     */
    private void awaitConnectionsClosed() throws InterruptedException {
        long deadline = System.nanoTime() + connectionCloseTimeout.toNanos();
        // Neither server tells anyone when a connection becomes idle; this runs once per shutdown,
        // on its own thread.
        while (server.open() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                log.info(
                        "{}: {} connection(s) still busy after {}; stopping anyway",
                        name(),
                        server.open(),
                        Durations.format(connectionCloseTimeout));
                return;
            }
            TimeUnit.MILLISECONDS.sleep(5);
            server.closeIdle();
        }
    }
}
