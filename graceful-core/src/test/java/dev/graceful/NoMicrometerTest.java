package dev.graceful;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Runs in its own Surefire execution with Micrometer removed from the class path (see the POM):
 * the whole core must load and work without its optional dependency.
 */
class NoMicrometerTest {

    @Test
    void micrometerIsReallyAbsent() {
        assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void coreLoadsTracksDrainsAndAnswersHealthWithoutMicrometer() throws Exception {
        GracefulShutdown g = GracefulShutdown.create(
                GracefulConfig.builder().drainTimeout(Duration.ofSeconds(5)).build());
        HealthEndpoint health = HealthEndpoint.of(g);
        g.markReady();
        assertThat(health.respond("GET", "/healthz").status()).isEqualTo(200);
        Work work = g.tracker("http").begin("GET /");

        var termination = g.shutdown("test");
        assertThat(health.respond("GET", "/healthz").status()).isEqualTo(503);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> g.phase() == Phase.AWAITING_IN_FLIGHT);
        work.close();

        ShutdownReport report = termination.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(report.isClean()).isTrue();
        assertThat(report.drained()).isEqualTo(1);
    }
}
