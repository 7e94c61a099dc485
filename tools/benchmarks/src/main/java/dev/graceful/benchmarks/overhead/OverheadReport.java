package dev.graceful.benchmarks.overhead;

import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * Turns group 2's {@code samples.csv} into its Markdown report: per example, throughput and p99
 * latency with graceful and without, medians over rounds with {@code [min–max]}, and ratios paired
 * within a round. Usage: {@code java -cp benchmarks.jar dev.graceful.benchmarks.overhead.OverheadReport samples.csv}.
 */
public final class OverheadReport {

    /** Target of issue 7: throughput with graceful ÷ without, median. */
    static final double TARGET_RATIO = 0.97;

    private OverheadReport() {}

    public static void main(String[] args) throws IOException {
        Rows.printReport(args, OverheadReport.class, rows -> render(rows, -1, -1));
    }

    static String render(List<Map<String, String>> rows, int seconds, int connections) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT, "%d round(s)", Rows.distinct(rows, "round").size()));
        if (seconds > 0) {
            sb.append(
                    String.format(Locale.ROOT, " of `wrk -t1 -c%d -d%ds --latency` on `GET /`", connections, seconds));
        }
        sb.append("; median [min–max] over rounds; ratios: graceful ÷ plain within the same round.\n\n");
        sb.append(
                "| example | req/s graceful | req/s plain | **throughput ratio** | p99 ms graceful | p99 ms plain | p99 ratio | errors (graceful / plain) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        ToDoubleFunction<Map<String, String>> rps = r -> Samples.number(r, "rps");
        ToDoubleFunction<Map<String, String>> p99 = r -> Samples.number(r, "p99_ms");
        for (String app : Rows.distinct(rows, "app")) {
            List<Map<String, String>> g = Rows.select(rows, "app", app, "variant", "graceful");
            List<Map<String, String>> p = Rows.select(rows, "app", app, "variant", "plain");
            sb.append(Rows.line(
                    app,
                    Rows.format(Rows.spread(g, rps)),
                    Rows.format(Rows.spread(p, rps)),
                    "**" + Rows.formatRatio(Rows.pairedRatio(g, p, rps)) + "**",
                    Rows.format(Rows.spread(g, p99)),
                    Rows.format(Rows.spread(p, p99)),
                    Rows.formatRatio(Rows.pairedRatio(g, p, p99)),
                    errors(g) + " / " + errors(p)));
        }
        sb.append('\n');
        for (String app : Rows.distinct(rows, "app")) {
            DescriptiveStatistics s = Rows.pairedRatio(
                    Rows.select(rows, "app", app, "variant", "graceful"),
                    Rows.select(rows, "app", app, "variant", "plain"),
                    rps);
            sb.append(String.format(
                    Locale.ROOT,
                    "- Target, %s: throughput ratio ≥ %.2f median: %s (median %s)%n",
                    app,
                    TARGET_RATIO,
                    Rows.verdict(s, m -> m >= TARGET_RATIO),
                    s.getN() == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", Rows.median(s))));
        }
        return sb.append(Rows.loadRange(rows)).toString();
    }

    private static long errors(List<Map<String, String>> rows) {
        return rows.stream().mapToLong(r -> (long) Samples.number(r, "errors")).sum();
    }
}
