package dev.graceful.grpc;

import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.Participant;
import dev.graceful.Phase;
import dev.graceful.State;
import dev.graceful.Transition;
import dev.graceful.grpc.internal.CallTracking;
import dev.graceful.grpc.internal.GrpcParticipant;
import dev.graceful.grpc.internal.HealthStatuses;
import dev.graceful.grpc.internal.WatchStreams;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Graceful shutdown for a grpc-java server, on any transport: call tracking, the standard
 * {@code grpc.health.v1} health service, and a {@link Participant} that sends GOAWAY after the
 * readiness delay and cancels what is left at the drain deadline.
 *
 * <pre>{@code
 * GracefulShutdown graceful = GracefulShutdown.create(config);
 * Server server = GracefulGrpc.attach(graceful, ServerBuilder.forPort(50051).addService(new MyService()))
 *         .start();
 * graceful.installSignalHandlers();
 * graceful.markReady();
 * server.awaitTermination(); // grpc-java's threads are daemons: something must keep the JVM up
 * }</pre>
 *
 * <h2>Calls</h2>
 * Every call, unary or streaming, is in flight from its start until grpc-java ends it (completed,
 * cancelled by either side, deadline exceeded), counted out exactly once, on the tracker
 * {@code "grpc"}; a call still running at the drain deadline is reported as
 * {@code /package.Service/Method} with its age. A call that arrives after the drain is over gets
 * {@code UNAVAILABLE}. Per call, graceful allocates one listener and formats nothing.
 *
 * <h2>Health</h2>
 * The server gets the standard health service (its {@link HealthStatusManager}, or yours through
 * {@link Builder#healthStatusManager}). The whole server ({@code ""}) and every service of the
 * server outside the {@code grpc.*} namespace are NOT_SERVING until
 * {@link GracefulShutdown#markReady()}, SERVING after it, and NOT_SERVING for good from the first
 * moment of the drain; Watch streams hear it at once. Watch streams are never counted as work:
 * they are ended when the listener closes, after they carried NOT_SERVING.
 *
 * <h2>Sequence</h2>
 * Through the readiness delay calls are served as usual. Then {@code Server.shutdown()}: the
 * listener closes and every connection gets GOAWAY, new calls go elsewhere, calls in flight go on.
 * When they are done the server terminates; at the drain deadline {@code shutdownNow()} cancels
 * the rest (clients see {@code CANCELLED} or {@code UNAVAILABLE}), after the report described them.
 * It works whether graceful owns the process ({@code installSignalHandlers()}) or the application
 * calls {@code graceful.shutdown(reason)} and waits for {@code termination()}.
 */
public final class GracefulGrpc {

    private GracefulGrpc() {}

    /**
     * Adds the call-tracking interceptor and the health service to {@code serverBuilder}, builds
     * the server and registers its participant with {@code graceful}. Start the returned server
     * as usual.
     *
     * @param graceful      the coordinator; its shutdown must not have started
     * @param serverBuilder the server's builder, services added
     * @return the built server, not started
     * @throws IllegalStateException when the shutdown of {@code graceful} has already started
     */
    public static Server attach(GracefulShutdown graceful, ServerBuilder<?> serverBuilder) {
        return builder(graceful).attach(serverBuilder);
    }

    /**
     * A builder for other settings.
     *
     * @param graceful the coordinator
     * @return the builder
     */
    public static Builder builder(GracefulShutdown graceful) {
        return new Builder(graceful);
    }

    /** Settings of {@link GracefulGrpc}; each has a default. */
    public static final class Builder {
        private final GracefulShutdown graceful;
        private String trackerKind = "grpc";
        private HealthStatusManager health;

        private Builder(GracefulShutdown graceful) {
            this.graceful = Objects.requireNonNull(graceful, "graceful");
        }

        /**
         * The kind of the tracker calls are counted on. Default {@code "grpc"}.
         *
         * @param kind not blank
         * @return this builder
         */
        public Builder trackerKind(String kind) {
            if (kind == null || kind.isBlank()) {
                throw new IllegalArgumentException("trackerKind must not be blank, was '" + kind + "'");
            }
            this.trackerKind = kind;
            return this;
        }

        /**
         * The manager whose health service the server gets, when the application sets statuses
         * of its own too. Default: a new one.
         *
         * @param manager the manager; its service is added to the server
         * @return this builder
         */
        public Builder healthStatusManager(HealthStatusManager manager) {
            this.health = Objects.requireNonNull(manager, "healthStatusManager");
            return this;
        }

        /**
         * Wires {@code serverBuilder} as {@link GracefulGrpc#attach} does.
         *
         * @param serverBuilder the server's builder, services added
         * @return the built server, not started
         */
        public Server attach(ServerBuilder<?> serverBuilder) {
            HealthStatusManager manager = health != null ? health : new HealthStatusManager();
            WatchStreams watches = new WatchStreams();
            CallTracking calls = new CallTracking(graceful.tracker(trackerKind), watches);
            Server server = serverBuilder
                    .addService(manager.getHealthService())
                    .intercept(calls)
                    .build();
            HealthStatuses statuses = new HealthStatuses(manager, reportedNames(server));
            statuses.notServingYet();
            graceful.register(new GrpcParticipant(graceful, server, calls, watches));
            graceful.addListener(new GracefulListener() {
                @Override
                public void onTransition(Transition t) {
                    if (t.to() == Phase.READY) {
                        statuses.serving();
                    } else if (t.to().state() == State.DRAINING && t.from().state() != State.DRAINING) {
                        statuses.draining();
                    }
                }
            });
            // The listener may have missed a transition made before it was added.
            State now = graceful.state();
            if (now == State.READY) {
                statuses.serving();
            } else if (now != State.STARTING) {
                statuses.draining();
            }
            return server;
        }

        private static List<String> reportedNames(Server server) {
            List<String> names = new ArrayList<>();
            names.add(HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
            for (ServerServiceDefinition s : server.getServices()) {
                String name = s.getServiceDescriptor().getName();
                if (!name.startsWith("grpc.")) {
                    names.add(name);
                }
            }
            return names;
        }
    }
}
