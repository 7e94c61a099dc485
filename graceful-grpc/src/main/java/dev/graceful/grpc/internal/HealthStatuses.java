package dev.graceful.grpc.internal;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.List;

/**
 * What the standard health service says: NOT_SERVING until the service is ready, SERVING while it
 * is, and NOT_SERVING for good from the drain's first moment (the manager's terminal state, so
 * the application cannot flip it back). Watch streams hear each change at once: the health
 * service writes to them on the thread that sets the status.
 */
public final class HealthStatuses {

    private final HealthStatusManager manager;
    private final List<String> names;

    /**
     * @param manager the manager behind the server's health service
     * @param names   the service names to report, {@code ""} (the whole server) included
     */
    public HealthStatuses(HealthStatusManager manager, List<String> names) {
        this.manager = manager;
        this.names = List.copyOf(names);
    }

    /** The names reported. */
    public List<String> names() {
        return names;
    }

    /** SERVING for every name. */
    public void serving() {
        set(ServingStatus.SERVING);
    }

    /** NOT_SERVING for every name (still changeable: before the service is ready). */
    public void notServingYet() {
        set(ServingStatus.NOT_SERVING);
    }

    /** NOT_SERVING for every name the manager knows, for good. */
    public void draining() {
        set(ServingStatus.NOT_SERVING);
        manager.enterTerminalState();
    }

    private void set(ServingStatus status) {
        for (String name : names) {
            manager.setStatus(name, status);
        }
    }
}
