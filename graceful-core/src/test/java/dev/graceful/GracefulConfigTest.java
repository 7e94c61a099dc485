package dev.graceful;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GracefulConfigTest {

    @Test
    void hasDocumentedDefaults() {
        GracefulConfig c = GracefulConfig.defaults();
        assertThat(c.readinessDelay()).isEqualTo(Duration.ZERO);
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.closeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.defaultTaskTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.watchdogMargin()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.budget()).isEmpty();
        assertThat(c.maxReportedInFlight()).isEqualTo(20);
        assertThat(c.readinessCheckTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.fixedPhases()).isEqualTo(Duration.ofSeconds(32));
        assertThat(c.readinessProbes()).isZero();
        assertThat(c.readinessSettleMargin()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.longLivedTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void theDefaultLongLivedTimeoutNeverLengthensTheSequence() {
        GracefulConfig quick =
                GracefulConfig.builder().drainTimeout(Duration.ofSeconds(1)).build();
        assertThat(quick.longLivedTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(quick.fixedPhases()).isEqualTo(Duration.ofSeconds(3));
        assertThat(quick.toBuilder().drainTimeout(Duration.ofSeconds(8)).build().longLivedTimeout())
                .as("still the default after toBuilder: it follows the drain timeout up to 5s")
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aLongLivedTimeoutLongerThanTheDrainTimeoutLengthensTheSequenceAndNamesItselfInTheBudgetError() {
        GracefulConfig c = GracefulConfig.builder()
                .drainTimeout(Duration.ofSeconds(2))
                .longLivedTimeout(Duration.ofSeconds(8))
                .build();
        assertThat(c.fixedPhases()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.toString()).contains("longLivedTimeout=8s");
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
        assertThatThrownBy(() -> c.toBuilder().budget(Duration.ofSeconds(10)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longLivedTimeout 8s")
                .hasMessageContaining("= 15s");
        assertThatThrownBy(() -> GracefulConfig.builder().longLivedTimeout(Duration.ofMinutes(11)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longLivedTimeout")
                .hasMessageContaining("was 11m");
    }

    @Test
    void rejectsReadinessProbesOutOfRangeNamingTheFieldAndValue() {
        assertThatThrownBy(() -> GracefulConfig.builder().readinessProbes(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readinessProbes must be between 0 and 100, was -1");
        assertThatThrownBy(() -> GracefulConfig.builder().readinessSettleMargin(Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readinessSettleMargin")
                .hasMessageContaining("was 2m");
        GracefulConfig c = GracefulConfig.builder()
                .readinessProbes(3)
                .readinessSettleMargin(Duration.ZERO)
                .build();
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(c).isNotEqualTo(GracefulConfig.defaults());
        assertThat(c.toString()).contains("readinessProbes=3", "readinessSettleMargin=0s");
    }

    @Test
    void rejectsNegativeAndAbsurdDurationsNamingTheFieldAndValue() {
        assertThatThrownBy(() -> GracefulConfig.builder().readinessDelay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readinessDelay")
                .hasMessageContaining("-1s");
        assertThatThrownBy(() -> GracefulConfig.builder().drainTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("drainTimeout")
                .hasMessageContaining("was 0s");
        assertThatThrownBy(() -> GracefulConfig.builder().drainTimeout(Duration.ofDays(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("drainTimeout")
                .hasMessageContaining("72h");
        assertThatThrownBy(() -> GracefulConfig.builder().closeTimeout(Duration.ofMinutes(2)))
                .hasMessageContaining("closeTimeout");
        assertThatThrownBy(() -> GracefulConfig.builder().defaultTaskTimeout(Duration.ofMillis(-5)))
                .hasMessageContaining("defaultTaskTimeout");
        assertThatThrownBy(() -> GracefulConfig.builder().watchdogMargin(Duration.ofMillis(10)))
                .hasMessageContaining("watchdogMargin");
        assertThatThrownBy(() -> GracefulConfig.builder().budget(Duration.ofMillis(10)))
                .hasMessageContaining("budget");
        assertThatThrownBy(() -> GracefulConfig.builder().readinessCheckTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readinessCheckTimeout must be between 1ms and 1m, was 0s (PT0S)");
        assertThatThrownBy(() -> GracefulConfig.builder().readinessCheckTimeout(Duration.ofMinutes(2)))
                .hasMessageContaining("readinessCheckTimeout")
                .hasMessageContaining("was 2m");
        assertThatThrownBy(() -> GracefulConfig.builder().maxReportedInFlight(-1))
                .hasMessageContaining("maxReportedInFlight")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> GracefulConfig.builder().drainTimeout(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("drainTimeout");
    }

    @Test
    void failsFastWhenTheSequenceDoesNotFitTheBudget() {
        assertThatThrownBy(() -> GracefulConfig.builder()
                        .budget(Duration.ofSeconds(30))
                        .readinessDelay(Duration.ofSeconds(5))
                        .drainTimeout(Duration.ofSeconds(25))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budget of 30s")
                .hasMessageContaining("readinessDelay 5s")
                .hasMessageContaining("drainTimeout 25s")
                .hasMessageContaining("closeTimeout 2s")
                .hasMessageContaining("watchdogMargin 5s")
                .hasMessageContaining("= 37s");
    }

    @Test
    void acceptsASequenceThatFitsItsBudget() {
        GracefulConfig c = GracefulConfig.builder()
                .budget(Duration.ofSeconds(30))
                .readinessDelay(Duration.ofSeconds(5))
                .drainTimeout(Duration.ofSeconds(15))
                .build();
        assertThat(c.budget()).contains(Duration.ofSeconds(30));
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(c.toString()).contains("drainTimeout=15s", "budget=30s");
        GracefulConfig quick =
                c.toBuilder().readinessCheckTimeout(Duration.ofMillis(200)).build();
        assertThat(quick).isNotEqualTo(c);
        assertThat(quick.toBuilder().build()).isEqualTo(quick);
        assertThat(quick.toString()).contains("readinessCheckTimeout=200ms");
    }
}
