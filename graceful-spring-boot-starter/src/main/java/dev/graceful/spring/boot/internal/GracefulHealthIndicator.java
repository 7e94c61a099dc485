package dev.graceful.spring.boot.internal;

import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.Tracker;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The Actuator health contributor {@code graceful}: the lifecycle state, phase and in-flight work.
 * UP while ready; OUT_OF_SERVICE while starting and draining (the same answer Spring Boot's
 * {@code readinessState} gives then, so the overall status does not contradict the readiness
 * group); DOWN once stopped. Failing readiness checks are named, each with its reason, as
 * graceful's own {@code /healthz} gives them. It reads volatile fields and asks the readiness checks,
 * each bounded by {@code graceful.readiness-check-timeout}: it never blocks for longer.
 *
 * <pre>
 * "graceful": {"status": "OUT_OF_SERVICE", "details": {"state": "DRAINING",
 *     "phase": "AWAITING_IN_FLIGHT", "inFlight": 3, "inFlightByKind": {"http": 3}}}
 * "graceful": {"status": "OUT_OF_SERVICE", "details": {"state": "READY", "phase": "READY", ...,
 *     "failingReadinessChecks": ["db"], "readinessFailures": {"db": "timed out after 500ms"}}}
 * </pre>
 */
public final class GracefulHealthIndicator implements HealthIndicator {

    private final GracefulShutdown graceful;

    /**
     * Creates the indicator.
     *
     * @param graceful whose state to report
     */
    public GracefulHealthIndicator(GracefulShutdown graceful) {
        this.graceful = graceful;
    }

    @Override
    public Health health() {
        Phase phase = graceful.phase();
        Status status = switch (phase.state()) {
            case READY -> graceful.isReady() ? Status.UP : Status.OUT_OF_SERVICE;
            case STARTING, DRAINING -> Status.OUT_OF_SERVICE;
            case STOPPED -> Status.DOWN;
        };
        Map<String, Long> byKind = new LinkedHashMap<>();
        for (Tracker t : graceful.trackers()) {
            byKind.put(t.kind(), t.inFlight());
        }
        Health.Builder health = Health.status(status)
                .withDetail("state", phase.state().name())
                .withDetail("phase", phase.name())
                .withDetail("inFlight", graceful.inFlight())
                .withDetail("inFlightByKind", byKind);
        // One probe of the checks: the names and their reasons come from the same answers.
        Map<String, String> failures = graceful.readinessFailures();
        if (!failures.isEmpty()) {
            health.withDetail("failingReadinessChecks", failures.keySet());
            health.withDetail("readinessFailures", failures);
        }
        return health.build();
    }
}
