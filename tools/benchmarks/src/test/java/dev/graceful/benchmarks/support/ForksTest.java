package dev.graceful.benchmarks.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForksTest {

    private static Map<String, String> row(int round, int fork, String variant, int rps) {
        return Map.of("round", "" + round, "fork", "" + fork, "variant", variant, "rps", "" + rps);
    }

    @Test
    void eachForkGivesTheMedianOfItsOwnRoundsPairedWithinEachRound() {
        List<Map<String, String>> rows = List.of(
                row(1, 1, "graceful", 90),
                row(1, 1, "plain", 100),
                row(2, 1, "graceful", 99),
                row(2, 1, "plain", 100),
                row(3, 1, "graceful", 97),
                row(3, 1, "plain", 100),
                row(4, 2, "graceful", 50),
                row(4, 2, "plain", 50),
                // Fork 3 has no baseline in any round: no sample.
                row(5, 3, "graceful", 80));

        double[] medians = Forks.medians(
                Rows.select(rows, "variant", "graceful"),
                Rows.select(rows, "variant", "plain"),
                r -> Samples.number(r, "rps"),
                (g, p) -> g / p);

        // Pooled over rounds, the median would be 0.97 whichever fork it came from; per fork: 0.97 and 1.0.
        assertThat(medians).containsExactly(new double[] {0.97, 1.0}, within(1e-9));
    }

    @Test
    void theIntervalIsStudentsTOverTheForks() {
        // Mean 2, standard deviation 1, t(0.975; 2 degrees of freedom) = 4.3027: 2 ± 4.3027 / √3.
        double[] ci = Forks.meanInterval(new double[] {1, 2, 3});
        assertThat(ci[0]).isCloseTo(2 - 2.4842, within(1e-3));
        assertThat(ci[1]).isCloseTo(2 + 2.4842, within(1e-3));
        assertThat(Forks.meanInterval(new double[] {1})).isNull();
    }

    @Test
    void decidesOnlyWhenTheWholeIntervalOverForksIsOnOneSide() {
        double[] cheap = {0.02, 0.05, 0.08, 0.03, 0.06, 0.04};
        double[] dear = {0.5, 0.6, 0.55, 0.45, 0.65, 0.5};
        // The forks of issue 17's count-valve run: every one above 0.15 µs, but three forks this far
        // apart cannot say how far a fourth would be.
        double[] threeApart = {0.72, 0.23, 0.52};

        assertThat(Forks.verdictAtMost(cheap, 0.15))
                .startsWith("**met** (95% interval of the mean over 6 forks 0.02–0.07");
        assertThat(Forks.verdictAtMost(dear, 0.15)).startsWith("**NOT met** (95% interval of the mean over 6 forks");
        assertThat(Forks.verdictAtMost(threeApart, 0.15))
                .startsWith("**undecided** (95% interval of the mean over 3 forks -0.13–1.11")
                .endsWith("more forks decide)");
        assertThat(Forks.verdictAtLeast(new double[] {0.99, 1.0, 0.98, 1.01}, 0.97))
                .startsWith("**met**");
        assertThat(Forks.verdictAtLeast(new double[] {0.99}, 0.97))
                .isEqualTo("**undecided** (1 fork: the interval is over forks and needs at least 2; --forks)");
    }
}
