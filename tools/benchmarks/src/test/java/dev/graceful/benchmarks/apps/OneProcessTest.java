package dev.graceful.benchmarks.apps;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OneProcessTest {

    @Test
    void everyValveOnEitherConnectorNamesAModeThatServerAppServes() {
        assertThat(OneProcess.mode(null, false)).isEqualTo("one-process");
        assertThat(OneProcess.mode(null, true)).isEqualTo("one-process-swapped");
        assertThat(OneProcess.mode("pass-valve", true)).isEqualTo("one-process-pass-valve-swapped");
        for (String valve : ServerApp.VALVES) {
            assertThat(OneProcess.isMode(OneProcess.mode(valve, false)))
                    .as(valve)
                    .isTrue();
            assertThat(OneProcess.isMode(OneProcess.mode(valve, true)))
                    .as(valve)
                    .isTrue();
        }
    }

    @Test
    void aModeNamingNoValveOfServerAppIsNotOneOfItsModes() {
        assertThat(OneProcess.isMode("one-process-control")).isFalse();
        assertThat(OneProcess.isMode("one-process-plain-swapped")).isFalse();
        assertThat(OneProcess.isMode("one-processx")).isFalse();
        assertThat(OneProcess.isMode("plain")).isFalse();
    }
}
