package dev.graceful;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graceful.internal.DefaultGracefulShutdown;
import dev.graceful.internal.ManualScheduler;
import dev.graceful.internal.RecordingProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.api.AbstractStringAssert;
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
        assertGet("/healthz", 200)
                .isEqualTo(
                        "{\"status\":\"UP\",\"probe\":\"readiness\",\"state\":\"READY\",\"phase\":\"READY\",\"inFlight\":0}");
        assertThat(endpoint.respond("GET", "/readyz").status()).isEqualTo(200);

        graceful.tracker("http").tryEnter();
        graceful.shutdown("test");

        assertGet("/healthz", 503)
                .contains(
                        "\"status\":\"DOWN\"",
                        "\"state\":\"DRAINING\"",
                        "\"phase\":\"READINESS_DELAY\"",
                        "\"inFlight\":1");
        assertGet("/livez", 200).contains("\"probe\":\"liveness\"", "\"status\":\"UP\"");
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
        assertGet("/healthz", 503)
                .endsWith(
                        ",\"failing\":[\"db \\\"primary\\\"\"],\"reasons\":{\"db \\\"primary\\\"\":\"returned false\"}}");
        db.set(true);
        assertThat(endpoint.respond("GET", "/healthz").status()).isEqualTo(200);
    }

    /** Asserts the status of a GET and hands back an assertion on its body. */
    private AbstractStringAssert<?> assertGet(String path, int status) {
        HealthEndpoint.Response response = endpoint.respond("GET", path);
        assertThat(response.status()).as("GET %s", path).isEqualTo(status);
        return assertThat(response.body());
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
