package dev.graceful;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "1500ms,PT1.5S",
        "2s,PT2S",
        "0s,PT0S",
        "0ms,PT0S",
        "1m,PT1M",
        "1h,PT1H",
        "PT2S,PT2S",
        " 30s ,PT30S",
        "10S,PT10S"
    })
    void parsesWhatOperatorsType(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1s", "1.5s", "10", "5d", "s", "PT-2S", "2 s", "abc"})
    void rejectsAnythingElseQuotingIt(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @CsvSource({
        "PT0S,0s",
        "PT0.25S,250ms",
        "PT1.5S,1.5s",
        "PT30S,30s",
        "PT2M5S,2m5s",
        "PT1H,1h",
        "PT0.000005S,5µs",
        "PT-3S,-3s"
    })
    void formatsCompactly(String iso, String text) {
        assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    }

    @org.junit.jupiter.api.Test
    void requireBetweenNamesTheFieldTheRangeAndTheValue() {
        assertThat(Durations.requireBetween("drainTimeout", Duration.ofSeconds(5), Duration.ZERO, Duration.ofHours(1)))
                .isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> Durations.requireBetween(
                        "drainTimeout", Duration.ofHours(2), Duration.ZERO, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("drainTimeout must be between 0s and 1h, was 2h (PT2H)");
        assertThatThrownBy(() -> Durations.requireBetween("drainTimeout", null, Duration.ZERO, Duration.ofHours(1)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("drainTimeout must not be null");
    }
}
