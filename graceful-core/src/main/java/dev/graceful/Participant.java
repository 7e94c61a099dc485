package dev.graceful;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The adapter SPI: a server (or any source of work) that takes part in the shutdown sequence.
 * Register it with {@link GracefulShutdown#register(Participant)}.
 *
 * <p>The engine calls the methods below at most once each, in this order, from its own thread;
 * each returns at once and reports completion through its future (an exception, thrown or
 * returned, is logged and the sequence goes on). The engine never waits on a future beyond the
 * configured deadlines, so a participant cannot wedge a shutdown.
 *
 * <ol>
 *   <li>{@link #stopAccepting()} after the readiness delay: stop taking <em>new connections</em>
 *   (close the listening socket so that connects are refused, not queued in a backlog). Existing
 *   connections stay open and keep being served; from now on their responses should ask the
 *   client to close ({@code Connection: close} in HTTP/1.1, GOAWAY in HTTP/2). Do not close idle
 *   connections yet: a client may already have sent a request on one.</li>
 *   <li>{@link #closeIdle()} once the drain has finished in time: the in-flight count is zero and
 *   new work is being refused, so close every connection that is idle, that is, one on which no
 *   request is being read or served. A request that raced in is refused by the tracker with a
 *   retryable answer rather than reset.</li>
 *   <li>{@link #forceClose()} instead of {@link #closeIdle()} when the drain deadline passed:
 *   close everything now.</li>
 * </ol>
 *
 * <p>A minimal adapter for a server with a listener and a connection registry:
 *
 * <pre>{@code
 * final class MyServerParticipant implements Participant {
 *     private final MyServer server;
 *     MyServerParticipant(MyServer server) { this.server = server; }
 *
 *     public String name() { return "my-server :" + server.port(); }
 *
 *     public CompletableFuture<Void> stopAccepting() {
 *         server.closeListener();             // new connects are refused from now on
 *         server.setCloseAfterResponse(true); // responses carry Connection: close
 *         return CompletableFuture.completedFuture(null);
 *     }
 *
 *     public CompletableFuture<Void> closeIdle() {
 *         return server.closeConnections(Connection::isIdle).thenRun(server::stop);
 *     }
 *
 *     public CompletableFuture<Void> forceClose() {
 *         return server.closeConnections(connection -> true).thenRun(server::stop);
 *     }
 * }
 * }</pre>
 *
 * <p>The in-flight counting itself is not the participant's job: the adapter's request handler
 * brackets each request with a {@link Tracker}.
 */
public interface Participant {

    /** A short name for logs, for example {@code "jetty :8080"}. */
    String name();

    /**
     * Stops accepting new connections; keeps serving open ones, asking them to close after their
     * current response.
     *
     * @return completes when no new connection can be accepted any more
     */
    CompletableFuture<Void> stopAccepting();

    /**
     * Closes every connection on which no request is being read or served. Called after the
     * drain finished in time: nothing is in flight and new work is refused, so an adapter may
     * simply stop its server here. Either way, leave no thread blocked in a selector or an
     * {@code accept}: HotSpot waits up to 300 ms for such threads before the process can exit.
     *
     * @return completes when those connections are closed; the default does nothing
     */
    default CompletableFuture<Void> closeIdle() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Closes every connection, busy or not, and stops the server. Called when the drain
     * deadline has passed.
     *
     * @return completes when everything is closed; the default does nothing
     */
    default CompletableFuture<Void> forceClose() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Describes work this participant knows to be in flight, for the stuck-work report, when it
     * tracks work with the allocation-free {@link Tracker#tryEnter()} rather than with
     * {@link Work} handles. Called only when a drain times out.
     *
     * @return the work in flight; the default reports none
     */
    default List<InFlightWork> inFlight() {
        return List.of();
    }
}
