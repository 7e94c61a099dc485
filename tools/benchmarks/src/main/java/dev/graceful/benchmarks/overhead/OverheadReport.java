package dev.graceful.benchmarks.overhead;

import dev.graceful.benchmarks.report.Spread;
import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Turns group 2's {@code samples.csv} into its Markdown report: per example, throughput and p99
 * latency with graceful and without, medians over rounds with {@code [min–max]}, and ratios paired
 * within a round. Usage: {@code java -cp benchmarks.jar dev.graceful.benchmarks.overhead.OverheadReport samples.csv}.
 */
public final class OverheadReport {

    /** Target of issue 7: throughput with graceful ÷ without, median. */
    static final double TARGET_RATIO = 0.97;

    private OverheadReport() {
    }

    /**
     * Prints the report of a samples file.
     *
     * @param args the samples file
     * @throws IOException when it cannot be read
     */
    public static void main(String[] args) throws IOException {
        Rows.printReport(args, "dev.graceful.benchmarks.overhead.OverheadReport", rows -> render(rows, -1, -1));
    }

    static String render(List<Map<String, String>> rows, int seconds, int connections) {
        Set<String> apps = new LinkedHashSet<>();
        Set<String> rounds = new TreeSet<>();
        for (Map<String, String> r : rows) {
            apps.add(r.get("app"));
            rounds.add(r.get("round"));
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d round(s)", rounds.size()));
        if (seconds > 0) {
            sb.append(String.format(Locale.ROOT, " of `wrk -t1 -c%d -d%ds --latency` on `GET /`", connections, seconds));
        }
        sb.append("; median [min–max] over rounds; ratios: graceful ÷ plain within the same round.\n\n");
        sb.append("| example | req/s graceful | req/s plain | **throughput ratio** | p99 ms graceful | p99 ms plain | p99 ratio | errors (graceful / plain) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        ToDoubleFunction<Map<String, String>> rps = r -> Samples.number(r, "rps");
        ToDoubleFunction<Map<String, String>> p99 = r -> Samples.number(r, "p99_ms");
        for (String app : apps) {
            List<Map<String, String>> g = Rows.select(rows, "app", app, "variant", "graceful");
            List<Map<String, String>> p = Rows.select(rows, "app", app, "variant", "plain");
            sb.append("| ").append(app)
                    .append(" | ").append(Rows.spread(g, rps).format())
                    .append(" | ").append(Rows.spread(p, rps).format())
                    .append(" | **").append(Rows.pairedRatio(g, p, rps).formatRatio()).append("**")
                    .append(" | ").append(Rows.spread(g, p99).format())
                    .append(" | ").append(Rows.spread(p, p99).format())
                    .append(" | ").append(Rows.pairedRatio(g, p, p99).formatRatio())
                    .append(" | ").append(errors(g)).append(" / ").append(errors(p)).append(" |\n");
        }
        sb.append('\n');
        for (String app : apps) {
            Spread s = Rows.pairedRatio(Rows.select(rows, "app", app, "variant", "graceful"),
                    Rows.select(rows, "app", app, "variant", "plain"), rps);
            sb.append(String.format(Locale.ROOT, "- Target, %s: throughput ratio ≥ %.2f median: %s (median %s)%n", app,
                    TARGET_RATIO, s.count() == 0 ? "not measured" : s.median() >= TARGET_RATIO ? "**met**" : "**NOT met**",
                    s.count() == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", s.median())));
        }
        String load = Rows.loadRange(rows);
        if (!load.isEmpty()) {
            sb.append('\n').append(load);
        }
        return sb.toString();
    }

    private static long errors(List<Map<String, String>> rows) {
        long n = 0;
        for (Map<String, String> r : rows) {
            n += (long) Samples.number(r, "errors");
        }
        return n;
    }
}
