package dev.graceful.benchmarks.support;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * Targets decided over forks (fresh pairs of JVMs), not over rounds. The rounds of one fork share what
 * the JIT made of its two processes, and on the project's VM that moves a fork's cost per request by
 * about ±0.2 µs from the next fork's, twice what the rounds' own noise predicts (docs/BENCHMARKS.md,
 * group 2): an interval that counts rounds as independent is too narrow. Each fork gives one sample,
 * the median of its rounds' paired figure, and the interval is Student's t over those samples.
 */
public final class Forks {

    private Forks() {}

    /**
     * Each fork's median of {@code op(subject, baseline)}, paired within its rounds, in fork order;
     * a fork without a single pair is left out.
     */
    public static double[] medians(
            List<Map<String, String>> subject,
            List<Map<String, String>> baseline,
            ToDoubleFunction<Map<String, String>> f,
            DoubleBinaryOperator op) {
        return Rows.distinct(subject, "fork").stream()
                .map(fork ->
                        Rows.paired(Rows.select(subject, "fork", fork), Rows.select(baseline, "fork", fork), f, op))
                .filter(s -> s.getN() > 0)
                .mapToDouble(Rows::median)
                .toArray();
    }

    /**
     * A 95% confidence interval of the mean of {@code samples} (Student's t, n − 1 degrees of freedom).
     *
     * @return {@code {low, high}}, or {@code null} with fewer than 2 samples (no spread to weigh)
     */
    public static double[] meanInterval(double[] samples) {
        if (samples.length < 2) {
            return null;
        }
        DescriptiveStatistics s = new DescriptiveStatistics(samples);
        double t = new TDistribution(samples.length - 1).inverseCumulativeProbability(0.975);
        double half = t * s.getStandardDeviation() / Math.sqrt(samples.length);
        return new double[] {s.getMean() - half, s.getMean() + half};
    }

    /** Whether the mean over forks is at most {@code limit}: {@link Rows#decide} with {@link #meanInterval}. */
    public static String verdictAtMost(double[] forkMedians, double limit) {
        return verdict(forkMedians, limit, true);
    }

    /** As {@link #verdictAtMost}, for a mean that must be at least {@code limit}. */
    public static String verdictAtLeast(double[] forkMedians, double limit) {
        return verdict(forkMedians, limit, false);
    }

    private static String verdict(double[] forkMedians, double limit, boolean atMost) {
        double[] ci = meanInterval(forkMedians);
        if (ci == null) {
            return "**undecided** (" + forkMedians.length + " fork: the interval is over forks and needs at least 2;"
                    + " --forks)";
        }
        return Rows.decide(
                ci,
                String.format(Locale.ROOT, "95%% interval of the mean over %d forks", forkMedians.length),
                "more forks decide",
                limit,
                atMost);
    }
}
