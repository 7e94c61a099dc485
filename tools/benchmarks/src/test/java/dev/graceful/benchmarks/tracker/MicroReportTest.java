package dev.graceful.benchmarks.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.tracker.MicroBench.Fork;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

class MicroReportTest {

    private static final String JVM = "Java 17 (test VM)";

    @Test
    void readsJmhsOwnResultsOneSamplePerForkTheMedianOfItsIterations() throws Exception {
        // A real JMH run, in this JVM and tiny: what MicroBench hands the report.
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                        .include(OneThread.class.getName() + "\\.(gracefulEnterExit|longAdderPair)$")
                        .forks(0)
                        .warmupIterations(0)
                        .measurementIterations(3)
                        .measurementTime(TimeValue.milliseconds(20))
                        .addProfiler(GCProfiler.class)
                        .verbosity(VerboseMode.SILENT)
                        .build())
                .run();

        List<Fork> forks = MicroBench.forks("round-1", results);

        assertThat(forks).extracting(Fork::method).containsExactlyInAnyOrder("gracefulEnterExit", "longAdderPair");
        for (Fork f : forks) {
            RunResult r = results.stream()
                    .filter(x -> x.getParams().getBenchmark().endsWith("." + f.method()))
                    .findFirst()
                    .orElseThrow();
            List<Double> scores = r.getBenchmarkResults().iterator().next().getIterationResults().stream()
                    .map(IterationResult::getPrimaryResult)
                    .map(x -> x.getScore())
                    .sorted()
                    .toList();
            assertThat(f.pairing()).isEqualTo("round-1#0");
            assertThat(f.threads()).isEqualTo(1);
            assertThat(f.higherIsBetter()).isFalse();
            assertThat(f.unit()).isEqualTo("ns/op");
            assertThat(f.score()).isEqualTo(scores.get(1));
            assertThat(f.bytes()).as("gc.alloc.rate.norm").isNotNaN();
            assertThat(f.jvm()).startsWith("Java " + System.getProperty("java.version") + " (");
            assertThat(f.settings()).isEqualTo("0 x 1 s warm-up, 3 x 20 ms measured");
        }
        assertThat(MicroBench.render(forks))
                .contains("### Java " + System.getProperty("java.version") + " (")
                .contains("Per fork: 0 x 1 s warm-up, 3 x 20 ms measured iterations;")
                .containsPattern("\\| 1 \\| gracefulEnterExit \\| [0-9.]+ \\| [0-9.]+ \\| n/a \\| [0-9.]+ \\|")
                .containsPattern("\\| 1 \\| longAdderPair \\| [0-9.]+ \\| \\(baseline\\) \\| n/a \\| [0-9.]+ \\|")
                .contains("- Target on 1 thread: gracefulEnterExit ≤ 1.2× the LongAdder pair:");
    }

    @Test
    void pairsSamplesOfTheSameFork() {
        // graceful's forks have medians 11 and 21 ns, the LongAdder pair's 10 and 10 ns: the ratios are 1.1 and 2.1.
        List<Fork> forks = new ArrayList<>(subjectAndAdder("a#0", 11.0, 10.0, 0.0));
        forks.addAll(subjectAndAdder("a#1", 21.0, 10.0, 0.0));

        assertThat(MicroBench.render(forks))
                .contains("### " + JVM)
                .contains("| 1 | gracefulEnterExit | 16.0 [11.0–21.0] | 1.60 [1.10–2.10] | n/a | 0.00 [0.00–0.00] |")
                .contains("| 1 | longAdderPair | 10.0 [10.0–10.0] | (baseline) | n/a |")
                .contains("**NOT met** (median 1.60×; fastest samples 1.10×)");
    }

    @Test
    void neverPairsSamplesFromDifferentRuns() {
        // Run a was slow for everything, run b fast: pairing within a run gives 1.0 both times;
        // pairing across runs would give 0.1 or 10.
        List<Fork> forks = new ArrayList<>(subjectAndAdder("a#0", 100.0, 100.0, Double.NaN));
        forks.addAll(subjectAndAdder("b#0", 10.0, 10.0, Double.NaN));

        assertThat(MicroBench.render(forks))
                .contains("| 1 | gracefulEnterExit | 55.0 [10.0–100] | 1.00 [1.00–1.00] |")
                .contains("**met** (median 1.00×; fastest samples 1.00×)");
    }

    @Test
    void comparesThroughputAsInverseCost() {
        List<Fork> forks = List.of(
                fork("a#0", "gracefulEnterExit", 2, "thrpt", 50.0),
                fork("a#0", "longAdderPair", 2, "thrpt", 100.0),
                fork("a#0", "atomicLongPair", 2, "thrpt", 25.0));

        assertThat(MicroBench.render(forks))
                .contains("| 2 | gracefulEnterExit | 50.0 | 2.00 | 0.50 |")
                .contains(
                        "Target on 2 threads: gracefulEnterExit ≤ 1.2× the LongAdder pair: **NOT met** (median 2.00×; fastest samples 2.00×)");
    }

    @Test
    void reportsAllocationAgainstTheZeroTarget() {
        List<Fork> forks = List.of(
                fork("a#0", "gracefulEnterExit", 1, "avgt", 10.0, 24.0),
                fork("a#0", "longAdderPair", 1, "avgt", 10.0, 0.0));

        assertThat(MicroBench.render(forks)).contains("0 B/op: **NOT met** (at most 24.0 B/op)");
    }

    @Test
    void refusesAnEmptyInput() {
        assertThatThrownBy(() -> MicroBench.render(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no benchmark results");
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Rows.median(Rows.stats(List.of(4.0, 1.0, 3.0, 2.0)))).isEqualTo(2.5);
        assertThat(Rows.format(Rows.stats(List.of(4.0, 1.0, 3.0, 2.0)))).isEqualTo("2.50 [1.00–4.00]");
        assertThat(Rows.stats(List.of(Double.NaN)).getN()).isZero();
    }

    /** graceful's hot path and the LongAdder pair, on one thread in one fork. */
    private static List<Fork> subjectAndAdder(String pairing, double subject, double adder, double bytes) {
        return List.of(
                fork(pairing, "gracefulEnterExit", 1, "avgt", subject, bytes),
                fork(pairing, "longAdderPair", 1, "avgt", adder, bytes));
    }

    private static Fork fork(String pairing, String method, int threads, String mode, double score) {
        return fork(pairing, method, threads, mode, score, Double.NaN);
    }

    private static Fork fork(String pairing, String method, int threads, String mode, double score, double bytes) {
        return new Fork(
                pairing,
                method,
                threads,
                mode.equals("thrpt"),
                "ns/op",
                JVM,
                "1 x 1 s warm-up, 1 x 1 s measured",
                score,
                bytes);
    }
}
