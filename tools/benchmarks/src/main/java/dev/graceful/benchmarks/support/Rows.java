package dev.graceful.benchmarks.support;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleFunction;
import java.util.function.DoublePredicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * The arithmetic and Markdown every report shares. Ratios are paired within a round, so a ratio never compares
 * samples taken minutes apart under different load; why only medians and ranges: {@code docs/BENCHMARKS.md}.
 */
public final class Rows {

    private Rows() {}

    /** The rows whose columns hold the given values ({@code match}: column, value, column, value, ...). */
    public static List<Map<String, String>> select(List<Map<String, String>> rows, String... match) {
        return rows.stream()
                .filter(r -> IntStream.range(0, match.length / 2)
                        .allMatch(i -> match[2 * i + 1].equals(r.get(match[2 * i]))))
                .toList();
    }

    /** The values a column takes, in the order they first appear. */
    public static Set<String> distinct(List<Map<String, String>> rows, String column) {
        return rows.stream().map(r -> r.get(column)).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The samples that are numbers (a NaN is a figure that was not measured). */
    public static DescriptiveStatistics stats(Collection<Double> samples) {
        return new DescriptiveStatistics(
                samples.stream().filter(d -> !d.isNaN()).mapToDouble(d -> d).toArray());
    }

    /** The spread of a figure over rows; rows where it is NaN are left out. */
    public static DescriptiveStatistics spread(
            List<Map<String, String>> rows, ToDoubleFunction<Map<String, String>> f) {
        return stats(rows.stream().map(f::applyAsDouble).toList());
    }

    /** The spread of {@code subject ÷ baseline}, each ratio taken within one round (column {@code round}). */
    public static DescriptiveStatistics pairedRatio(
            List<Map<String, String>> subject,
            List<Map<String, String>> baseline,
            ToDoubleFunction<Map<String, String>> f) {
        return paired(subject, baseline, f, Rows::ratioOf);
    }

    /** {@code subject ÷ baseline}; NaN when the baseline is not positive (left out by {@link #stats}). */
    public static double ratioOf(double subject, double baseline) {
        return baseline > 0 ? subject / baseline : Double.NaN;
    }

    /** The spread of {@code op(subject, baseline)}, each pair taken within one round (column {@code round}). */
    public static DescriptiveStatistics paired(
            List<Map<String, String>> subject,
            List<Map<String, String>> baseline,
            ToDoubleFunction<Map<String, String>> f,
            DoubleBinaryOperator op) {
        Map<String, Double> base = new LinkedHashMap<>();
        baseline.forEach(r -> base.put(r.get("round"), f.applyAsDouble(r)));
        // No baseline gives NaN: left out by stats.
        return stats(subject.stream()
                .map(r -> op.applyAsDouble(f.applyAsDouble(r), base.getOrDefault(r.get("round"), Double.NaN)))
                .toList());
    }

    /** A figure's table cell: {@link #format} of its {@link #spread}. */
    public static String cell(List<Map<String, String>> rows, ToDoubleFunction<Map<String, String>> f) {
        return format(spread(rows, f));
    }

    /** A ratio's table cell: {@link #formatRatio} of its {@link #pairedRatio}. */
    public static String ratio(
            List<Map<String, String>> subject,
            List<Map<String, String>> baseline,
            ToDoubleFunction<Map<String, String>> f) {
        return formatRatio(pairedRatio(subject, baseline, f));
    }

    /** A number column as a figure; NaN where absent. */
    public static ToDoubleFunction<Map<String, String>> column(String name) {
        return r -> Samples.number(r, name);
    }

    /** The median; with an even count the mean of the middle two; NaN without samples. */
    public static double median(DescriptiveStatistics s) {
        return s.getPercentile(50);
    }

    /** {@code median [min–max]} with a precision fitting the magnitude; {@code n/a} without samples. */
    public static String format(DescriptiveStatistics s) {
        return format(s, Rows::number);
    }

    /** {@code median [min–max]} with two decimals: for ratios, where 1.04 and 1.15 differ. */
    public static String formatRatio(DescriptiveStatistics s) {
        return format(s, x -> String.format(Locale.ROOT, "%.2f", x));
    }

    private static String format(DescriptiveStatistics s, DoubleFunction<String> number) {
        if (s.getN() == 0) {
            return "n/a";
        }
        String median = number.apply(median(s));
        return s.getN() == 1 ? median : median + " [" + number.apply(s.getMin()) + "–" + number.apply(s.getMax()) + "]";
    }

    /** One number with a precision fitting its magnitude. */
    public static String number(double x) {
        double a = Math.abs(x);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", x);
    }

    /** Whether a target is met by the median: {@code **met**}, {@code **NOT met**} or {@code not measured}. */
    public static String verdict(DescriptiveStatistics s, DoublePredicate met) {
        return s.getN() == 0 ? "not measured" : met.test(median(s)) ? "**met**" : "**NOT met**";
    }

    /**
     * A 95% confidence interval of the median that assumes nothing of the samples' distribution:
     * the order statistics {@code x(j)} and {@code x(n-j+1)}, with {@code j} the largest for which
     * a Binomial(n, ½) count falls below {@code j} with probability at most 2.5% (the interval
     * covers the true median with probability at least 95%). A round's ratio moves by ±50% on a
     * small VM, so a median alone says little about whether a target is met: this says how far the
     * median itself could be off.
     *
     * @param s the samples
     * @return {@code {low, high}}, or {@code null} with fewer than 6 samples (no interval reaches 95%)
     */
    public static double[] medianInterval(DescriptiveStatistics s) {
        int n = (int) s.getN();
        if (n == 0) {
            return null;
        }
        BinomialDistribution count = new BinomialDistribution(n, 0.5);
        int j = 0;
        while (j < n && count.cumulativeProbability(j) <= 0.025) {
            j++;
        }
        if (j == 0) {
            return null;
        }
        double[] sorted = s.getSortedValues();
        return new double[] {sorted[j - 1], sorted[n - j]};
    }

    /**
     * Whether the median is at most {@code limit}, decided with its {@link #medianInterval}:
     * {@code **met**} when the whole interval is at or below it, {@code **NOT met**} when the whole
     * interval is above it, else undecided; with too few samples for an interval, the median's own
     * verdict, said to be one.
     */
    public static String verdictAtMost(DescriptiveStatistics s, double limit) {
        return verdictByInterval(s, limit, true);
    }

    /** As {@link #verdictAtMost}, for a median that must be at least {@code limit}. */
    public static String verdictAtLeast(DescriptiveStatistics s, double limit) {
        return verdictByInterval(s, limit, false);
    }

    private static String verdictByInterval(DescriptiveStatistics s, double limit, boolean atMost) {
        double[] ci = medianInterval(s);
        if (ci == null) {
            return verdict(s, m -> atMost ? m <= limit : m >= limit)
                    + " by the median alone (too few rounds for a 95% interval)";
        }
        return decide(ci, "95% interval of the median", "more rounds decide", limit, atMost);
    }

    /**
     * {@code **met**} when the whole interval {@code ci} is on the target's side of {@code limit}
     * ({@code atMost}: at or below it), {@code **NOT met**} when all of it is on the other side, else
     * {@code **undecided**}, with the interval named {@code what} and what would decide it.
     */
    public static String decide(double[] ci, String what, String decides, double limit, boolean atMost) {
        // Rounded outwards, so that the printed interval holds the real one: 1.103 printed as 1.10
        // would read as within a 1.1 target that it is not.
        String interval = String.format(
                Locale.ROOT,
                "%s %.2f–%.2f",
                what,
                Math.floor(ci[0] * 100 + 1e-9) / 100,
                Math.ceil(ci[1] * 100 - 1e-9) / 100);
        boolean allWithin = atMost ? ci[1] <= limit : ci[0] >= limit;
        boolean allOutside = atMost ? ci[0] > limit : ci[1] < limit;
        if (allWithin) {
            return "**met** (" + interval + ")";
        }
        if (allOutside) {
            return "**NOT met** (" + interval + ")";
        }
        return "**undecided** (" + interval + ", which contains the target: " + decides + ")";
    }

    public static String line(Object... cells) {
        return "| " + Arrays.stream(cells).map(String::valueOf).collect(Collectors.joining(" | ")) + " |\n";
    }

    /** A sentence giving the range of the 1-minute load average over the rows, or empty when none was recorded. */
    public static String loadRange(List<Map<String, String>> rows) {
        DescriptiveStatistics load = spread(rows, r -> Samples.number(r, "load1"));
        return load.getN() > 0 && load.getMax() > 0
                ? String.format(
                        Locale.ROOT,
                        "%nLoad average (1 min) at the start of the samples: %.2f–%.2f%n",
                        load.getMin(),
                        load.getMax())
                : "";
    }

    /** Requests answered 200 of all ({@code total} column), and the other outcomes seen: {@code 18/20 (closed, reset)}. */
    public static String answered(List<Map<String, String>> rows, String total) {
        long ok = 0;
        long all = 0;
        Set<String> failures = new TreeSet<>();
        for (Map<String, String> r : rows) {
            ok += (long) Samples.number(r, "ok");
            all += (long) Samples.number(r, total);
            if (r.get("failures") != null) {
                failures.addAll(List.of(r.get("failures").split(" ")));
            }
        }
        return ok + "/" + all + (failures.isEmpty() ? "" : " (" + String.join(", ", failures) + ")");
    }
}
