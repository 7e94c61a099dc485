package dev.graceful.benchmarks.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.junit.jupiter.api.Test;

class RowsTest {

    private static final List<Map<String, String>> ROWS = List.of(
            Map.of("round", "1", "variant", "graceful", "rps", "90"),
            Map.of("round", "1", "variant", "plain", "rps", "100"),
            Map.of("round", "2", "variant", "plain", "rps", "50"),
            Map.of("round", "2", "variant", "graceful", "rps", "55"),
            Map.of("round", "3", "variant", "graceful", "rps", "70"));

    @Test
    void pairsSubjectAndBaselineWithinTheSameRoundOnly() {
        DescriptiveStatistics s = Rows.pairedRatio(
                Rows.select(ROWS, "variant", "graceful"),
                Rows.select(ROWS, "variant", "plain"),
                r -> Samples.number(r, "rps"));

        // Round 3 has no baseline: no ratio; the medians of the sides (70 and 75) would say 0.93.
        assertThat(s.getN()).isEqualTo(2);
        assertThat(s.getMin()).isCloseTo(0.9, within(1e-9));
        assertThat(s.getMax()).isCloseTo(1.1, within(1e-9));
        assertThat(Rows.median(s)).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void takesTheCostPerRequestAsTheDifferenceOfInverseThroughputsWithinARound() {
        DescriptiveStatistics us = Rows.paired(
                Rows.select(ROWS, "variant", "graceful"),
                Rows.select(ROWS, "variant", "plain"),
                r -> Samples.number(r, "rps"),
                (g, p) -> 1e6 / g - 1e6 / p);

        // Round 1: 1e6/90 - 1e6/100 = 1111.1 µs; round 2: 1e6/55 - 1e6/50 = -1818.2 µs; round 3 unpaired.
        assertThat(us.getN()).isEqualTo(2);
        assertThat(us.getMax()).isCloseTo(1111.111, within(1e-3));
        assertThat(us.getMin()).isCloseTo(-1818.182, within(1e-3));
    }

    @Test
    void theMediansIntervalIsTheOrderStatisticsTheBinomialDistributionPicks() {
        // 16 samples 1..16: P(Bin(16, 1/2) <= 3) = 697/65536 = 1.1% <= 2.5% < P(<= 4) = 3.8%, so j = 4:
        // the 4th and the 13th smallest.
        DescriptiveStatistics sixteen = new DescriptiveStatistics(
                IntStream.rangeClosed(1, 16).mapToDouble(i -> 17 - i).toArray());
        assertThat(Rows.medianInterval(sixteen)).containsExactly(4.0, 13.0);
        // 6 samples: P(<= 0) = 1/64 = 1.6%, so the extremes; 5: 1/32 = 3.1%, no interval at 95%.
        assertThat(Rows.medianInterval(new DescriptiveStatistics(new double[] {6, 1, 5, 2, 4, 3})))
                .containsExactly(1.0, 6.0);
        assertThat(Rows.medianInterval(new DescriptiveStatistics(new double[] {1, 2, 3, 4, 5})))
                .isNull();
    }

    @Test
    void aTargetIsDecidedOnlyWhenTheWholeIntervalIsOnOneSide() {
        DescriptiveStatistics low = new DescriptiveStatistics(
                IntStream.rangeClosed(1, 16).mapToDouble(i -> 0.80 + i * 0.01).toArray());
        DescriptiveStatistics high = new DescriptiveStatistics(
                IntStream.rangeClosed(1, 16).mapToDouble(i -> 1.20 + i * 0.01).toArray());
        DescriptiveStatistics across = new DescriptiveStatistics(
                IntStream.rangeClosed(1, 16).mapToDouble(i -> 1.00 + i * 0.01).toArray());

        assertThat(Rows.verdictAtMost(low, 1.1)).startsWith("**met** (95% interval of the median 0.84–0.93");
        assertThat(Rows.verdictAtMost(high, 1.1)).startsWith("**NOT met** (95% interval of the median 1.24–1.33");
        // Median 1.085 <= 1.1, but the interval 1.04-1.13 reaches past it.
        assertThat(Rows.verdictAtMost(across, 1.1)).startsWith("**undecided**");
        // 1.103 is printed 1.11, not 1.10: a printed interval holds the real one.
        DescriptiveStatistics barelyAcross = new DescriptiveStatistics(new double[] {
            0.90, 0.91, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1.00, 1.01, 1.02, 1.103, 1.2, 1.3, 1.4
        });
        assertThat(Rows.verdictAtMost(barelyAcross, 1.1))
                .startsWith("**undecided** (95% interval of the median 0.94–1.11,");
        assertThat(Rows.verdictAtMost(new DescriptiveStatistics(new double[] {1.0, 1.2}), 1.1))
                .isEqualTo("**met** by the median alone (too few rounds for a 95% interval)");
    }

    @Test
    void aLowerBoundIsMetOnlyWhenTheWholeIntervalIsAtOrAboveIt() {
        DescriptiveStatistics ratios = new DescriptiveStatistics(
                IntStream.rangeClosed(1, 16).mapToDouble(i -> 0.950 + i * 0.005).toArray());

        // The interval is the 4th and 13th of 16: 0.970-1.015.
        assertThat(Rows.verdictAtLeast(ratios, 0.97)).startsWith("**met** (95% interval of the median 0.97–1.02");
        assertThat(Rows.verdictAtLeast(ratios, 0.98)).startsWith("**undecided**");
        assertThat(Rows.verdictAtLeast(ratios, 1.02)).startsWith("**NOT met**");
        assertThat(Rows.verdictAtLeast(new DescriptiveStatistics(new double[] {0.96, 0.97}), 0.97))
                .isEqualTo("**NOT met** by the median alone (too few rounds for a 95% interval)");
    }

    @Test
    void selectsRowsMatchingEveryGivenColumn() {
        assertThat(Rows.select(ROWS, "variant", "plain", "round", "2")).containsExactly(ROWS.get(2));
    }
}
