package dev.graceful.benchmarks.support;

import dev.graceful.benchmarks.report.Spread;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The arithmetic every macro report shares over {@link Samples} rows: selecting rows, their spread
 * (median and range), and ratios of a subject to its baseline paired within a round, so that a
 * ratio never compares samples taken minutes apart under different background load.
 */
public final class Rows {

    private Rows() {
    }

    /**
     * The rows whose columns hold the given values.
     *
     * @param rows  the rows
     * @param match column, value, column, value, ...
     * @return the matching rows, in order
     */
    public static List<Map<String, String>> select(List<Map<String, String>> rows, String... match) {
        if (match.length % 2 != 0) {
            throw new IllegalArgumentException("match takes column/value pairs, was " + List.of(match));
        }
        List<Map<String, String>> out = new ArrayList<>();
        next:
        for (Map<String, String> r : rows) {
            for (int i = 0; i < match.length; i += 2) {
                if (!match[i + 1].equals(r.get(match[i]))) {
                    continue next;
                }
            }
            out.add(r);
        }
        return out;
    }

    /**
     * The spread of a figure over rows; rows where it is NaN are left out.
     *
     * @param rows the rows
     * @param f    the figure
     * @return its spread
     */
    public static Spread spread(List<Map<String, String>> rows, ToDoubleFunction<Map<String, String>> f) {
        List<Double> v = new ArrayList<>();
        for (Map<String, String> r : rows) {
            v.add(f.applyAsDouble(r));
        }
        return Spread.of(v);
    }

    /**
     * The spread of {@code subject ÷ baseline}, each ratio taken within one round (column {@code round}).
     *
     * @param subject  the subject's rows
     * @param baseline the baseline's rows
     * @param f        the figure
     * @return the ratios' spread
     */
    public static Spread pairedRatio(List<Map<String, String>> subject, List<Map<String, String>> baseline,
            ToDoubleFunction<Map<String, String>> f) {
        Map<String, Double> base = new LinkedHashMap<>();
        for (Map<String, String> r : baseline) {
            base.put(r.get("round"), f.applyAsDouble(r));
        }
        List<Double> ratios = new ArrayList<>();
        for (Map<String, String> r : subject) {
            Double b = base.get(r.get("round"));
            double s = f.applyAsDouble(r);
            if (b != null && !b.isNaN() && !Double.isNaN(s) && b > 0) {
                ratios.add(s / b);
            }
        }
        return Spread.of(ratios);
    }

    /**
     * A sentence giving the range of the 1-minute load average over the rows (column {@code load1}).
     *
     * @param rows the rows
     * @return the sentence with a trailing newline, or empty when no load was recorded
     */
    public static String loadRange(List<Map<String, String>> rows) {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Map<String, String> r : rows) {
            double l = Samples.number(r, "load1");
            if (!Double.isNaN(l)) {
                min = Math.min(min, l);
                max = Math.max(max, l);
            }
        }
        return max > 0 ? String.format(Locale.ROOT, "Load average (1 min) at the start of the samples: %.2f–%.2f%n", min, max) : "";
    }

    /**
     * How many requests were answered 200 out of how many, and the other outcomes seen, such as
     * {@code 18/20 (closed, reset)}: columns {@code ok} and {@code failures} (outcomes separated by
     * spaces) and the given total column.
     *
     * @param rows  the rows
     * @param total the column holding how many requests a row made
     * @return the text
     */
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

    /**
     * The {@code main} of a group's report class: renders the samples file named by the one
     * argument to standard output, or prints its usage and exits with 2.
     *
     * @param args   the command line
     * @param name   the report class's simple name, for the usage line
     * @param render the group's rendering
     * @throws IOException when the file cannot be read
     */
    public static void printReport(String[] args, String name, Function<List<Map<String, String>>, String> render)
            throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java -cp benchmarks.jar " + name + " samples.csv");
            System.exit(2);
        }
        System.out.print(render.apply(Samples.read(Path.of(args[0]))));
    }
}
