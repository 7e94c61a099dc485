package dev.graceful.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MicroReportTest {

    private static final String JVM = "Java 17 (test VM)";

    @Test
    void readsJmhJsonAndPairsSamplesOfTheSameFork() throws Exception {
        // The fixture is a real JMH file with its data replaced: graceful's forks have medians 11
        // and 21 ns, the LongAdder pair's 10 and 10 ns, so the ratios are 1.1 and 2.1.
        List<JmhResult> results = JmhResult.read(fixture("two-forks.json"));

        String report = MicroReport.render(results);

        assertThat(report)
                .contains("### Java 17.0.15 (OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1)")
                .contains("| 1 | gracefulEnterExit | 16.0 [11.0–21.0] | 1.60 [1.10–2.10] | n/a | 0.00 [0.00–0.00] |")
                .contains("| 1 | longAdderPair | 10.0 [10.0–10.0] | (baseline) | n/a |")
                .contains("**NOT met** (median 1.60×; fastest samples 1.10×)");
    }

    @Test
    void neverPairsSamplesFromDifferentRuns() {
        // Run a was slow for everything, run b fast: pairing within a run gives 1.0 both times;
        // pairing across runs would give 0.1 or 10.
        List<JmhResult> results = List.of(
                result("a", "gracefulEnterExit", 1, "avgt", 100.0),
                result("a", "longAdderPair", 1, "avgt", 100.0),
                result("b", "gracefulEnterExit", 1, "avgt", 10.0),
                result("b", "longAdderPair", 1, "avgt", 10.0));

        assertThat(MicroReport.render(results))
                .contains("| 1 | gracefulEnterExit | 55.0 [10.0–100] | 1.00 [1.00–1.00] |")
                .contains("**met** (median 1.00×; fastest samples 1.00×)");
    }

    @Test
    void comparesThroughputAsInverseCost() {
        List<JmhResult> results = List.of(
                result("a", "gracefulEnterExit", 2, "thrpt", 50.0),
                result("a", "longAdderPair", 2, "thrpt", 100.0),
                result("a", "atomicLongPair", 2, "thrpt", 25.0));

        assertThat(MicroReport.render(results))
                .contains("| 2 | gracefulEnterExit | 50.0 | 2.00 | 0.50 |")
                .contains("Target on 2 threads: gracefulEnterExit ≤ 1.2× the LongAdder pair: **NOT met** (median 2.00×; fastest samples 2.00×)");
    }

    @Test
    void reportsAllocationAgainstTheZeroTarget() {
        List<JmhResult> results = List.of(
                result("a", "gracefulEnterExit", 1, "avgt", 10.0, 24.0),
                result("a", "longAdderPair", 1, "avgt", 10.0, 0.0));

        assertThat(MicroReport.render(results))
                .contains("0 B/op: **NOT met** (at most 24.0 B/op)");
    }

    @Test
    void refusesAnEmptyInput() {
        assertThatThrownBy(() -> MicroReport.render(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no benchmark results");
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Spread.of(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(new Spread(2.5, 1.0, 4.0, 4));
        assertThat(Spread.of(List.of(Double.NaN)).count()).isZero();
    }

    private static JmhResult result(String source, String method, int threads, String mode, double score) {
        return result(source, method, threads, mode, score, Double.NaN);
    }

    private static JmhResult result(String source, String method, int threads, String mode, double score,
            double bytes) {
        List<List<Double>> alloc = new ArrayList<>();
        if (!Double.isNaN(bytes)) {
            alloc.add(List.of(bytes));
        }
        return new JmhResult(source, "x.Bench." + method, mode, threads, "ns/op", JVM, "1 x 1 s", "1 x 1 s",
                List.of(List.of(score)), alloc);
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(MicroReportTest.class.getResource(name).toURI());
    }
}
