package dev.graceful.grpc.internal;

import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.Participant;
import io.grpc.Server;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The grpc-java participant. After the readiness delay, {@code Server.shutdown()}: the listeners
 * close and every connection gets GOAWAY, so clients open new calls elsewhere while calls in
 * flight go on; open health Watch streams end. Once the drain is over, the server is left to
 * terminate (it closes each connection when its last stream ends); at the deadline,
 * {@code shutdownNow()} cancels what is left, which the report has already described.
 */
public final class GrpcParticipant implements Participant {

    private static final Logger log = LoggerFactory.getLogger(GrpcParticipant.class);

    private final GracefulShutdown graceful;
    private final Server server;
    private final CallTracking calls;
    private final WatchStreams watches;

    /**
     * @param graceful the coordinator (for its close timeout and report size)
     * @param server   the server
     * @param calls    the interceptor counting its calls
     * @param watches  its health Watch streams
     */
    public GrpcParticipant(GracefulShutdown graceful, Server server, CallTracking calls, WatchStreams watches) {
        this.graceful = graceful;
        this.server = server;
        this.calls = calls;
        this.watches = watches;
    }

    @Override
    public String name() {
        StringBuilder sb = new StringBuilder("grpc");
        try {
            for (SocketAddress a : server.getListenSockets()) {
                sb.append(' ').append(a);
            }
        } catch (IllegalStateException notStartedOrStopped) {
            sb.append(" (not listening)");
        }
        return sb.toString();
    }

    @Override
    public CompletableFuture<Void> stopAccepting() {
        server.shutdown();
        watches.endAll();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> closeIdle() {
        watches.endAll();
        server.shutdown();
        return terminate(false);
    }

    @Override
    public CompletableFuture<Void> forceClose() {
        watches.endAll();
        server.shutdownNow();
        return terminate(true);
    }

    @Override
    public List<InFlightWork> inFlight() {
        return calls.describe(Math.max(1, graceful.config().maxReportedInFlight()));
    }

    /** Waits for the server's termination on a thread of its own, cutting it short at the close timeout. */
    private CompletableFuture<Void> terminate(boolean forced) {
        long timeoutMillis = Math.max(1, graceful.config().closeTimeout().toMillis());
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread waiter = new Thread(
                () -> {
                    try {
                        if (!server.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
                            log.warn(
                                    "{}: not terminated {} ms after {}; shutting down now",
                                    name(),
                                    timeoutMillis,
                                    forced ? "shutdownNow()" : "the drain");
                            server.shutdownNow();
                        }
                    } catch (InterruptedException e) {
                        server.shutdownNow();
                    } finally {
                        done.complete(null);
                    }
                },
                "graceful-grpc-termination");
        waiter.setDaemon(true);
        waiter.start();
        return done;
    }

    @Override
    public String toString() {
        return "GrpcParticipant[" + name() + "]";
    }
}
