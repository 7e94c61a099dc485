package dev.graceful.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HealthPathsTest {

    private final HealthPaths health = new HealthPaths(
            HealthEndpoint.of(GracefulShutdown.create(), List.of("/healthz", "/ready"), List.of("/livez")));

    /** HTTP/1.1's decoder gives a {@code String}, HTTP/2's headers an {@code AsciiString}: both answer alike. */
    @ParameterizedTest
    @ValueSource(strings = {"String", "AsciiString"})
    void aTargetMatchesAHealthPathItselfOrWithAQueryStringAndNothingElse(String type) {
        Function<String, CharSequence> as = type.equals("String") ? s -> s : AsciiString::of;

        assertThat(health.match(as.apply("/healthz"))).isEqualTo("/healthz");
        assertThat(health.match(as.apply("/healthz?verbose"))).isEqualTo("/healthz");
        assertThat(health.match(as.apply("/ready"))).isEqualTo("/ready");
        assertThat(health.match(as.apply("/livez?"))).isEqualTo("/livez");

        assertThat(health.match(as.apply("/healthzz"))).isNull();
        assertThat(health.match(as.apply("/healthz/more"))).isNull();
        assertThat(health.match(as.apply("/health"))).isNull();
        assertThat(health.match(as.apply("/"))).isNull();
        assertThat(health.match(as.apply(""))).isNull();
        assertThat(health.match(as.apply("/HEALTHZ"))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/healthz", "/"})
    void noEndpointMatchesNothing(String target) {
        assertThat(new HealthPaths(null).match(target)).isNull();
        assertThat(new HealthPaths(null).match(null)).isNull();
    }
}
