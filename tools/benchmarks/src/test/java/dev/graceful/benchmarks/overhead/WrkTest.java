package dev.graceful.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WrkTest {

    private static final String OUTPUT = """
            Running 10s test @ http://127.0.0.1:8080/
              1 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   442.10us    1.20ms  45.32ms   98.12%
                Req/Sec    72.44k     3.10k   78.01k    71.00%
              Latency Distribution
                 50%  250us
                 75%  310.00us
                 90%  420.00us
                 99%    7.20ms
              724357 requests in 10.00s, 70.46MB read
              Socket errors: connect 0, read 2, write 0, timeout 1
              Non-2xx or 3xx responses: 4
            Requests/sec:  72435.12
            Transfer/sec:      7.05MB
            """;

    @Test
    void readsThroughputPercentilesInMillisecondsAndEveryKindOfError() {
        Wrk w = Wrk.parse(OUTPUT);

        assertThat(w.requestsPerSecond()).isEqualTo(72435.12);
        assertThat(w.p50Ms()).isEqualTo(0.25);
        assertThat(w.p99Ms()).isEqualTo(7.2);
        assertThat(w.requests()).isEqualTo(724357);
        assertThat(w.errors()).isEqualTo(7);
    }

    @Test
    void readsLatenciesInSeconds() {
        assertThat(Wrk.parse(OUTPUT.replace("99%    7.20ms", "99%    1.50s")).p99Ms())
                .isEqualTo(1500.0);
    }

    @Test
    void refusesOutputWithoutTheLatencyDistribution() {
        assertThatThrownBy(() -> Wrk.parse(OUTPUT.replace("     99%    7.20ms\n", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no 99% latency line");
    }
}
