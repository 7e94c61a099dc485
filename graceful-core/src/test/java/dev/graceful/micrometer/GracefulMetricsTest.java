package dev.graceful.micrometer;

import static dev.graceful.micrometer.Meters.gauge;
import static dev.graceful.micrometer.Meters.timerCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.Departure;
import dev.graceful.ExitStatus;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.RecordingParticipant;
import dev.graceful.Tracker;
import dev.graceful.internal.DefaultGracefulShutdown;
import dev.graceful.internal.ManualScheduler;
import dev.graceful.internal.RecordingProcess;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class GracefulMetricsTest {

    @AutoClose
    private final ManualScheduler clock = new ManualScheduler();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void reportsStateInFlightByKindAndTheDrainOutcome() {
        GracefulShutdown g = new DefaultGracefulShutdown(
                GracefulConfig.builder().drainTimeout(Duration.ofSeconds(10)).build(), clock, new RecordingProcess());
        Tracker http = g.tracker("http");
        new GracefulMetrics(g, Tags.of("app", "orders")).bindTo(registry);
        Tracker jobs = g.tracker("job");
        g.markReady();

        http.tryEnter();
        http.tryEnter();
        jobs.tryEnter();
        assertThat(registry.get("graceful.state")
                        .tag("state", "ready")
                        .tag("app", "orders")
                        .gauge()
                        .value())
                .isEqualTo(1);
        assertThat(gauge(registry, "graceful.state", "state", "draining")).isZero();
        assertThat(registry.get("graceful.ready").gauge().value()).isEqualTo(1);
        assertThat(gauge(registry, "graceful.work.active", "kind", "http")).isEqualTo(2);
        assertThat(gauge(registry, "graceful.work.active", "kind", "job")).isEqualTo(1);

        g.shutdown("test");
        assertThat(gauge(registry, "graceful.state", "state", "draining")).isEqualTo(1);
        assertThat(registry.get("graceful.ready").gauge().value()).isZero();
        clock.awaitIdle();
        http.exit();
        clock.advance(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> g.termination().isDone());

        assertThat(registry.get("graceful.work.drained").counter().count()).isEqualTo(1);
        assertThat(registry.get("graceful.work.abandoned").counter().count()).isEqualTo(2);
        assertThat(registry.get("graceful.drain")
                        .tag("outcome", "timed_out")
                        .timer()
                        .totalTime(TimeUnit.SECONDS))
                .isEqualTo(10);
        assertThat(timerCount(registry, "graceful.shutdown", "exit.status", "drain_timed_out"))
                .isEqualTo(1);
        assertThat(gauge(registry, "graceful.state", "state", "stopped")).isEqualTo(1);
    }

    @Test
    void aFailedTaskIsAFailedShutdownAfterACleanDrain() {
        GracefulShutdown g =
                new DefaultGracefulShutdown(GracefulConfig.builder().build(), clock, new RecordingProcess());
        new GracefulMetrics(g).bindTo(registry);
        g.addShutdownTask("flush", () -> {
            throw new IllegalStateException("broker gone");
        });
        g.markReady();

        g.shutdown("test");
        await().atMost(Duration.ofSeconds(5)).until(() -> g.termination().isDone());

        assertThat(g.termination().join().exitStatus()).isEqualTo(ExitStatus.TASK_FAILED);
        assertThat(timerCount(registry, "graceful.drain", "outcome", "clean")).isEqualTo(1);
        assertThat(timerCount(registry, "graceful.shutdown", "exit.status", "task_failed"))
                .isEqualTo(1);
        assertThat(registry.get("graceful.work.abandoned").counter().count()).isZero();
    }

    @Test
    void countsWorkRefusedAfterTheFinalClose() {
        GracefulShutdown g =
                new DefaultGracefulShutdown(GracefulConfig.builder().build(), clock, new RecordingProcess());
        new GracefulMetrics(g).bindTo(registry);
        Tracker http = g.tracker("http");
        CompletableFuture<Void> closingIdle = new CompletableFuture<>();
        RecordingParticipant.registeredWith(g, "server").closeIdle = closingIdle;
        g.markReady();

        g.shutdown("test");
        await().atMost(Duration.ofSeconds(5)).until(() -> g.phase() == Phase.CLOSING_IDLE);
        // Drained and closed: what arrives now is refused, and counted when the sequence ends.
        assertThat(http.tryEnter()).isFalse();
        assertThat(http.tryEnter()).isFalse();
        assertThat(registry.get("graceful.work.refused").counter().count()).isZero();
        closingIdle.complete(null);
        await().atMost(Duration.ofSeconds(5)).until(() -> g.termination().isDone());

        assertThat(g.termination().join().refused()).isEqualTo(2);
        assertThat(registry.get("graceful.work.refused").counter().count()).isEqualTo(2);
        assertThat(timerCount(registry, "graceful.drain", "outcome", "clean")).isEqualTo(1);
    }

    @Test
    void countsLongLivedConnectionsUnderTheirKindAndTheOnesCut() {
        GracefulShutdown g = new DefaultGracefulShutdown(
                GracefulConfig.builder().longLivedTimeout(Duration.ofSeconds(1)).build(),
                clock,
                new RecordingProcess());
        new GracefulMetrics(g).bindTo(registry);
        g.longLived("websocket").open("GET /ws", new Departure() {
            @Override
            public void goAway() {}

            @Override
            public void cut() {}
        });
        g.markReady();
        assertThat(gauge(registry, "graceful.work.active", "kind", "websocket")).isEqualTo(1);

        g.shutdown("test");
        clock.awaitIdle();
        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> g.termination().isDone());

        assertThat(registry.get("graceful.longlived.cut").counter().count()).isEqualTo(1);
        assertThat(timerCount(registry, "graceful.shutdown", "exit.status", "clean"))
                .isEqualTo(1);
    }
}
