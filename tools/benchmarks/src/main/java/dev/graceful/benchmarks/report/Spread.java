package dev.graceful.benchmarks.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Median, minimum and maximum of a set of samples: the only statistics the reports print. The
 * median, because background load on a shared machine skews the mean with a few slow samples; the
 * range, so a reader sees how far one sample can be from it.
 *
 * @param median the median (the mean of the middle two for an even count)
 * @param min    the smallest sample
 * @param max    the largest sample
 * @param count  how many samples; 0 when there were none (then the others are NaN)
 */
public record Spread(double median, double min, double max, int count) {

    /**
     * The spread of the given samples; NaN samples are ignored.
     *
     * @param samples the samples
     * @return their spread; {@code count == 0} when none was a number
     */
    public static Spread of(Collection<Double> samples) {
        List<Double> sorted = new ArrayList<>();
        for (Double d : samples) {
            if (d != null && !d.isNaN()) {
                sorted.add(d);
            }
        }
        if (sorted.isEmpty()) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        sorted.sort(null);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Spread(median, sorted.get(0), sorted.get(n - 1), n);
    }

    /**
     * Formats as {@code median [min-max]} with a precision fitting the magnitude.
     *
     * @return the text, or {@code n/a} without samples
     */
    public String format() {
        if (count == 0) {
            return "n/a";
        }
        if (count == 1) {
            return number(median);
        }
        return number(median) + " [" + number(min) + "–" + number(max) + "]";
    }

    /**
     * Formats as {@code median [min-max]} with two decimals: for ratios, where 1.04 and 1.15 differ.
     *
     * @return the text, or {@code n/a} without samples
     */
    public String formatRatio() {
        if (count == 0) {
            return "n/a";
        }
        String m = String.format(Locale.ROOT, "%.2f", median);
        if (count == 1) {
            return m;
        }
        return m + String.format(Locale.ROOT, " [%.2f–%.2f]", min, max);
    }

    /**
     * Formats one number with a precision fitting its magnitude.
     *
     * @param x the number
     * @return the text
     */
    public static String number(double x) {
        double a = Math.abs(x);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, pattern, x);
    }
}
