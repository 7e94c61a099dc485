package dev.graceful.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graceful.loadgen.internal.Recorder;
import org.junit.jupiter.api.Test;

class LoadSummaryTest {

    @Test
    void percentilesUseTheNearestRank() {
        long[] micros = new long[100];
        for (int i = 0; i < 100; i++) {
            micros[i] = (i + 1) * 1000L;
        }
        assertThat(Recorder.percentile(micros, 50)).isEqualTo(50.0);
        assertThat(Recorder.percentile(micros, 99)).isEqualTo(99.0);
        assertThat(Recorder.percentile(new long[] {7000}, 99)).isEqualTo(7.0);
        assertThat(Recorder.percentile(new long[0], 50)).isZero();
    }

    @Test
    void propertiesRoundTrip() {
        String text = String.join(
                "\n",
                "elapsed.ms=1234",
                "failure.http-502=3",
                "failures=3",
                "get=60",
                "latency.max.ms=9.5",
                "latency.p50.ms=1.2",
                "latency.p99.ms=4.0",
                "post=40",
                "requests=100",
                "resent.get=2",
                "resent.post=1",
                "stale.connections=5",
                "version.v1=50",
                "version.v2=47",
                "");
        LoadSummary summary = LoadSummary.parse(text);

        assertThat(summary.requests()).isEqualTo(100);
        assertThat(summary.failures()).isEqualTo(3);
        assertThat(summary.failureKinds()).containsEntry("http-502", 3L);
        assertThat(summary.versions()).containsEntry("v1", 50L).containsEntry("v2", 47L);
        assertThat(summary.resent()).isEqualTo(3);
        assertThat(summary.p99Millis()).isEqualTo(4.0);
        assertThat(summary.toProperties()).isEqualTo(text);
    }

    @Test
    void parseNamesTheKeyWithABadValue() {
        assertThatThrownBy(() -> LoadSummary.parse("requests=ten\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("summary key requests must be a whole number, was ten");
    }

    @Test
    void readsTheVersionFromContractBodies() {
        assertThat(Worker.versionOf("hello from v1")).isEqualTo("v1");
        assertThat(Worker.versionOf("done 2.0.1\n")).isEqualTo("2.0.1");
        assertThat(Worker.versionOf("hello")).isNull();
        assertThat(Worker.versionOf("done ")).isNull();
        assertThat(Worker.versionOf("<html>502 Bad Gateway</html>")).isNull();
    }
}
