package dev.graceful;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graceful.internal.DefaultGracefulShutdown;
import dev.graceful.internal.ManualScheduler;
import dev.graceful.internal.RecordingProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {

    @AutoClose
    private final ManualScheduler clock = new ManualScheduler();

    private final GracefulShutdown graceful = new DefaultGracefulShutdown(
            GracefulConfig.builder().readinessDelay(Duration.ofSeconds(5)).build(), clock, new RecordingProcess());
    private final HealthEndpoint endpoint = HealthEndpoint.of(graceful);

    @Test
    void readinessIsDownWhileStartingUpWhenReadyAndDownFromTheMomentADrainStarts() {
        assertThat(endpoint.respond("GET", "/healthz").status()).isEqualTo(503);
        graceful.markReady();
        HealthEndpoint.Response ready = endpoint.respond("GET", "/healthz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body())
                .isEqualTo(
                        "{\"status\":\"UP\",\"probe\":\"readiness\",\"state\":\"READY\",\"phase\":\"READY\",\"inFlight\":0}");
        assertThat(endpoint.respond("GET", "/readyz").status()).isEqualTo(200);

        graceful.tracker("http").tryEnter();
        graceful.shutdown("test");

        HealthEndpoint.Response draining = endpoint.respond("GET", "/healthz");
        assertThat(draining.status()).isEqualTo(503);
        assertThat(draining.body())
                .contains(
                        "\"status\":\"DOWN\"",
                        "\"state\":\"DRAINING\"",
                        "\"phase\":\"READINESS_DELAY\"",
                        "\"inFlight\":1");
        HealthEndpoint.Response live = endpoint.respond("GET", "/livez");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.body()).contains("\"probe\":\"liveness\"", "\"status\":\"UP\"");
    }

    @Test
    void livenessFailsOnlyOnceStopped() {
        graceful.markReady();
        graceful.shutdown("test");
        clock.advance(Duration.ofSeconds(5));
        clock.awaitIdle();
        graceful.termination().join();
        assertThat(endpoint.respond("GET", "/livez").status()).isEqualTo(503);
    }

    @Test
    void namesFailingReadinessChecks() {
        AtomicBoolean db = new AtomicBoolean(false);
        graceful.addReadinessCheck("db \"primary\"", db::get);
        graceful.markReady();
        HealthEndpoint.Response r = endpoint.respond("GET", "/healthz");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body())
                .endsWith(
                        ",\"failing\":[\"db \\\"primary\\\"\"],\"reasons\":{\"db \\\"primary\\\"\":\"returned false\"}}");
        db.set(true);
        assertThat(endpoint.respond("GET", "/healthz").status()).isEqualTo(200);
    }

    @Test
    void answersHeadOnlyGetAndHeadAndNothingForUnknownPaths() {
        graceful.markReady();
        assertThat(endpoint.respond("HEAD", "/healthz").status()).isEqualTo(200);
        HealthEndpoint.Response post = endpoint.respond("POST", "/healthz");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.allow()).isEqualTo("GET, HEAD");
        assertThat(endpoint.respond("DELETE", "/livez").status()).isEqualTo(405);
        assertThat(graceful.state()).isEqualTo(State.READY);
        assertThat(endpoint.respond("GET", "/other").status()).isEqualTo(404);
        assertThat(endpoint.handles("/healthz")).isTrue();
        assertThat(endpoint.handles("/healthz/")).isFalse();
    }

    @Test
    void takesCustomPathsAndRejectsBadOnes() {
        HealthEndpoint custom = HealthEndpoint.of(graceful, List.of("/ready"), List.of("/alive"));
        graceful.markReady();
        assertThat(custom.respond("GET", "/ready").status()).isEqualTo(200);
        assertThat(custom.handles("/healthz")).isFalse();
        assertThatThrownBy(() -> HealthEndpoint.of(graceful, List.of("ready"), List.of("/alive")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ready'");
        assertThatThrownBy(() -> HealthEndpoint.of(graceful, List.of("/x"), List.of("/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'/x'");
    }
}
