package dev.graceful.spring.boot.internal;

import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.Transition;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;

/**
 * Keeps graceful's readiness and Spring Boot's availability model in agreement, both ways.
 *
 * <ul>
 *   <li>When graceful's shutdown starts, {@link ReadinessState#REFUSING_TRAFFIC} is published
 *   before {@link GracefulShutdown#shutdown(String)} returns, so {@code /actuator/health/readiness}
 *   turns to OUT_OF_SERVICE together with {@code /healthz}. Liveness is left alone: it stays
 *   {@code CORRECT}, because a draining process is healthy and must not be restarted. The event's
 *   source is the publisher (the application context), as for the events Spring Boot publishes
 *   itself: Spring caches the listeners of an event by its type and source type, so on the signal's
 *   thread the event reaches listeners Spring has already resolved, instead of resolving them, cold,
 *   for a source type seen for the first time.</li>
 *   <li>When the application (or Spring Boot, on context close) publishes REFUSING_TRAFFIC,
 *   graceful's readiness fails too, through the readiness check {@value #CHECK}; ACCEPTING_TRAFFIC
 *   lifts it.</li>
 * </ul>
 */
public final class SpringAvailabilityBridge
        implements GracefulListener, ApplicationListener<AvailabilityChangeEvent<?>> {

    /** The name of the readiness check that follows Spring's {@link ReadinessState}. */
    public static final String CHECK = "spring-readiness";

    private final ApplicationEventPublisher publisher;
    private volatile boolean refusing;
    /** The event this bridge published, so that it is not taken for the application's. */
    private volatile AvailabilityChangeEvent<ReadinessState> announced;

    /**
     * Connects the two.
     *
     * @param graceful  the coordinator
     * @param publisher where to publish availability changes (the application context)
     */
    public SpringAvailabilityBridge(GracefulShutdown graceful, ApplicationEventPublisher publisher) {
        this.publisher = publisher;
        graceful.addReadinessCheck(CHECK, () -> !refusing);
        graceful.addListener(this);
    }

    @Override
    public void onTransition(Transition transition) {
        if (transition.to() == Phase.READINESS_DELAY) {
            AvailabilityChangeEvent<ReadinessState> event =
                    new AvailabilityChangeEvent<>(publisher, ReadinessState.REFUSING_TRAFFIC);
            announced = event;
            publisher.publishEvent(event);
        }
    }

    @Override
    public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
        // Our own announcement of the drain is not a reason of its own for readiness to fail.
        if (event != announced && event.getState() instanceof ReadinessState state) {
            refusing = state == ReadinessState.REFUSING_TRAFFIC;
        }
    }
}
