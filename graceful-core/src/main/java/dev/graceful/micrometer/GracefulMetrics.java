package dev.graceful.micrometer;

import dev.graceful.ExitStatus;
import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import dev.graceful.State;
import dev.graceful.Tracker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Objects;

/**
 * Binds a {@link GracefulShutdown}'s state and drain results to a Micrometer registry. The core
 * knows nothing of Micrometer: this binder observes it through {@link GracefulListener} and the
 * public getters, and is the only class that touches Micrometer types.
 *
 * <pre>{@code
 * new GracefulMetrics(graceful).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 *   <tr><td>{@code graceful.state}</td><td>gauge</td><td>{@code state}</td><td>1 for the current state, 0 for the others</td></tr>
 *   <tr><td>{@code graceful.ready}</td><td>gauge</td><td></td><td>1 while readiness passes</td></tr>
 *   <tr><td>{@code graceful.work.active}</td><td>gauge</td><td>{@code kind}</td><td>work in flight, per kind</td></tr>
 *   <tr><td>{@code graceful.drain}</td><td>timer</td><td>{@code outcome} (clean, timed_out, forced: a second signal abandoned work)</td><td>drain duration</td></tr>
 *   <tr><td>{@code graceful.shutdown}</td><td>timer</td><td>{@code exit.status}</td><td>whole sequence duration</td></tr>
 *   <tr><td>{@code graceful.work.drained}</td><td>counter</td><td></td><td>work finished while draining</td></tr>
 *   <tr><td>{@code graceful.work.abandoned}</td><td>counter</td><td></td><td>work abandoned at the drain deadline or by a second signal</td></tr>
 *   <tr><td>{@code graceful.work.refused}</td><td>counter</td><td></td><td>work refused after the final close</td></tr>
 *   <tr><td>{@code graceful.longlived.cut}</td><td>counter</td><td></td><td>long-lived connections (WebSockets, event
 *   streams) cut because they had not closed in time; their count while open is {@code graceful.work.active}
 *   with their kind</td></tr>
 * </table>
 */
public final class GracefulMetrics implements MeterBinder {

    private final GracefulShutdown graceful;
    private final Iterable<Tag> tags;

    /**
     * Creates a binder.
     *
     * @param graceful what to observe
     */
    public GracefulMetrics(GracefulShutdown graceful) {
        this(graceful, Tags.empty());
    }

    /**
     * Creates a binder adding tags to every meter.
     *
     * @param graceful what to observe
     * @param tags     common tags
     */
    public GracefulMetrics(GracefulShutdown graceful, Iterable<Tag> tags) {
        this.graceful = Objects.requireNonNull(graceful, "graceful");
        this.tags = Objects.requireNonNull(tags, "tags");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (State s : State.values()) {
            Gauge.builder("graceful.state", graceful, g -> g.state() == s ? 1 : 0)
                    .tags(tags)
                    .tag("state", s.name().toLowerCase(Locale.ROOT))
                    .description("1 for the service's current lifecycle state, 0 for the others")
                    .strongReference(true)
                    .register(registry);
        }
        Gauge.builder("graceful.ready", graceful, g -> g.isReady() ? 1 : 0)
                .tags(tags)
                .description("1 while readiness passes")
                .strongReference(true)
                .register(registry);
        for (Tracker t : graceful.trackers()) {
            bindTracker(registry, t);
        }
        Counter drained = Counter.builder("graceful.work.drained")
                .tags(tags)
                .description("Work finished while draining")
                .register(registry);
        Counter abandoned = Counter.builder("graceful.work.abandoned")
                .tags(tags)
                .description("Work still in flight when the drain timed out or a second signal ended it")
                .register(registry);
        Counter refused = Counter.builder("graceful.work.refused")
                .tags(tags)
                .description("Work refused after the final close")
                .register(registry);
        Counter cut = Counter.builder("graceful.longlived.cut")
                .tags(tags)
                .description("Long-lived connections cut because they had not closed in time")
                .register(registry);
        graceful.addListener(new GracefulListener() {
            @Override
            public void onTrackerCreated(Tracker tracker) {
                bindTracker(registry, tracker);
            }

            @Override
            public void onShutdownComplete(ShutdownReport report) {
                Timer.builder("graceful.drain")
                        .tags(tags)
                        .tag("outcome", drainOutcome(report))
                        .description("Time from stopping acceptance to the end of the drain")
                        .register(registry)
                        .record(report.drainDuration());
                Timer.builder("graceful.shutdown")
                        .tags(tags)
                        .tag("exit.status", report.exitStatus().name().toLowerCase(Locale.ROOT))
                        .description("Time from the shutdown signal to the end of the sequence")
                        .register(registry)
                        .record(report.totalDuration());
                drained.increment(report.drained());
                abandoned.increment(report.abandoned());
                refused.increment(report.refused());
                cut.increment(report.longLivedCut());
            }
        });
    }

    private static String drainOutcome(ShutdownReport report) {
        if (report.drainTimedOut()) {
            return "timed_out";
        }
        boolean forced = report.exitStatus() == ExitStatus.FORCED_BY_SIGINT
                || report.exitStatus() == ExitStatus.FORCED_BY_SIGTERM;
        return forced && report.abandoned() > 0 ? "forced" : "clean";
    }

    private void bindTracker(MeterRegistry registry, Tracker tracker) {
        Gauge.builder("graceful.work.active", tracker, Tracker::inFlight)
                .tags(tags)
                .tag("kind", tracker.kind())
                .description("Work in flight")
                .strongReference(true)
                .register(registry);
    }
}
