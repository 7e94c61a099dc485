package dev.graceful.benchmarks.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
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
    void selectsRowsMatchingEveryGivenColumn() {
        assertThat(Rows.select(ROWS, "variant", "plain", "round", "2")).containsExactly(ROWS.get(2));
    }
}
