package dev.graceful.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverheadReportTest {

    private static final OverheadBench.Slices SLICES = new OverheadBench.Slices(3, 10, 32);

    /**
     * One round per fork: graceful's and plain's CPU µs per request and throughput, marked as measured together,
     * graceful on the second connector in the even forks.
     */
    private static List<Map<String, String>> together(double[][] forks) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (int f = 0; f < forks.length; f++) {
            String n = Integer.toString(f + 1);
            String swapped = f % 2 == 1 ? "yes" : "no";
            rows.add(row(n, "graceful", forks[f][0], forks[f][2], swapped));
            rows.add(row(n, "plain", forks[f][1], forks[f][3], swapped));
        }
        return rows;
    }

    private static Map<String, String> row(String n, String variant, double cpuUs, double rps, String swapped) {
        return Map.of(
                "round",
                n,
                "fork",
                n,
                "app",
                "tomcat",
                "variant",
                variant,
                "rps",
                Double.toString(rps),
                "cpu_us",
                Double.toString(cpuUs),
                "p99_ms",
                "1.2",
                "errors",
                "0",
                "together",
                "yes",
                "swapped",
                swapped);
    }

    @Test
    void togetherDecidesTheCostPerRequestOnEachSidesOwnCpuTimeNotOnTheThroughputs() {
        // Throughputs half a microsecond apart per request, own CPU time 0.05 µs apart in every fork.
        String report = OverheadReport.render(
                together(new double[][] {
                    {20.05, 20.00, 24000, 24300}, {21.06, 21.00, 23000, 23300}, {20.54, 20.50, 23500, 23800}
                }),
                SLICES);

        assertThat(report)
                .contains("each 10 interleaved slice(s) of 3 s with both variants loaded at once (`wrk -t1 -c16")
                .contains("µs per request ≤ 0.15: **met** (95% interval of the mean over 3 forks ")
                .contains("The throughput ratio is not decided here")
                .contains("tomcat, µs per request added, each fork: 0.050 0.060 0.040");
    }

    @Test
    void togetherTellsWhatTheExamplesConnectorGivesItsSideFromTheForksOnEachConnector() {
        // Graceful costs 0.10 µs; the example's connector gives its side 0.04 more, on graceful's side in
        // forks 1 and 3, on plain's in forks 2 and 4.
        String report = OverheadReport.render(
                together(new double[][] {
                    {20.14, 20.00, 24000, 24000},
                    {20.06, 20.00, 24000, 24000},
                    {21.14, 21.00, 24000, 24000},
                    {21.06, 21.00, 24000, 24000}
                }),
                SLICES);

        assertThat(report)
                .contains("tomcat, µs per request added, mean over forks: 0.140 with graceful on the example's"
                        + " connector (2 fork(s)), 0.060 on the second connector (2 fork(s)); the example's connector's"
                        + " own edge, half their difference: 0.040 µs")
                .contains("(95% interval of the mean over 4 forks ");
    }

    @Test
    void samplesOfBeforeTheSwapCountAsGracefulOnTheExamplesConnector() {
        List<Map<String, String>> rows = new ArrayList<>();
        for (Map<String, String> r :
                together(new double[][] {{20.14, 20.00, 24000, 24000}, {20.06, 20.00, 24000, 24000}})) {
            Map<String, String> old = new HashMap<>(r);
            if ("no".equals(old.remove("swapped"))) {
                rows.add(old); // the first fork, as a run of before the swap wrote it
            } else {
                rows.add(r);
            }
        }

        assertThat(OverheadReport.render(rows, SLICES))
                .contains("0.140 with graceful on the example's connector (1 fork(s)), 0.060 on the second connector");
    }

    @Test
    void togetherSaysNothingOfTheConnectorsWhenAllForksHadGracefulOnTheSameOne() {
        String report = OverheadReport.render(together(new double[][] {{20.14, 20.00, 24000, 24000}}), SLICES);

        assertThat(report).doesNotContain("the example's connector's own edge");
    }

    @Test
    void togetherSaysNotMetWhenEveryForkAddsMoreThanTheTarget() {
        String report = OverheadReport.render(
                together(new double[][] {
                    {20.3, 20.0, 24000, 24000}, {20.35, 20.0, 24000, 24000}, {20.25, 20.0, 24000, 24000}
                }),
                SLICES);

        assertThat(report).contains("µs per request ≤ 0.15: **NOT met**");
    }
}
