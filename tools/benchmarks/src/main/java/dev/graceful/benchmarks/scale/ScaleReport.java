package dev.graceful.benchmarks.scale;

import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Turns group 4's {@code samples.csv} into its Markdown report: per example and size, medians over
 * rounds with {@code [min–max]}, the per-request figures, and how they change from the smallest
 * size to the largest (at most 1 means linear or better). Usage:
 * {@code java -cp benchmarks.jar dev.graceful.benchmarks.scale.ScaleReport samples.csv}.
 */
public final class ScaleReport {

    private ScaleReport() {}

    public static void main(String[] args) throws IOException {
        Rows.printReport(args, ScaleReport.class, ScaleReport::render);
    }

    static String render(List<Map<String, String>> rows) {
        Set<String> apps = Rows.distinct(rows, "app");
        TreeSet<Integer> sizes = new TreeSet<>();
        rows.forEach(r -> sizes.add(Integer.parseInt(r.get("n"))));
        ToDoubleFunction<Map<String, String>> last = r -> Samples.number(r, "last_after_due_ms");
        ToDoubleFunction<Map<String, String>> lastPerRequest =
                r -> 1000 * last.applyAsDouble(r) / Samples.number(r, "n");
        ToDoubleFunction<Map<String, String>> heapMib =
                r -> (Samples.number(r, "heap_held_kb") - Samples.number(r, "heap_idle_kb")) / 1024;
        ToDoubleFunction<Map<String, String>> heapPerRequest =
                r -> 1024 * 1024 * heapMib.applyAsDouble(r) / Samples.number(r, "n");
        ToDoubleFunction<Map<String, String>> rssMib =
                r -> (Samples.number(r, "rss_held_kb") - Samples.number(r, "rss_idle_kb")) / 1024;
        ToDoubleFunction<Map<String, String>> peakMib = r -> Samples.number(r, "hwm_kb") / 1024;

        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%d round(s); every sample a fresh process; median [min–max] over rounds."
                        + " All N requests were due at the same moment, a few seconds after they were sent; SIGTERM came while"
                        + " all were held.%n%n",
                Rows.distinct(rows, "round").size()));
        sb.append(
                "| example | N | answered 200 | last response after due (ms) | per request (µs) | last response → exit (ms)"
                        + " | SIGTERM → `Drained in` (ms) | live heap held (MiB) | per request (bytes) | RSS held (MiB) | peak RSS (MiB) |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String app : apps) {
            for (int n : sizes) {
                List<Map<String, String>> s = Rows.select(rows, "app", app, "n", Integer.toString(n));
                if (s.isEmpty()) {
                    continue;
                }
                sb.append("| ")
                        .append(app)
                        .append(" | ")
                        .append(n)
                        .append(" | ")
                        .append(Rows.answered(s, "n"));
                for (ToDoubleFunction<Map<String, String>> f : List.of(
                        last,
                        lastPerRequest,
                        column("last_to_exit_ms"),
                        column("drained_ms"),
                        heapMib,
                        heapPerRequest,
                        rssMib,
                        peakMib)) {
                    sb.append(" | ").append(Rows.format(Rows.spread(s, f)));
                }
                sb.append(" |\n");
            }
        }
        sb.append('\n');
        if (sizes.size() > 1) {
            int small = sizes.first();
            int large = sizes.last();
            for (String app : apps) {
                List<Map<String, String>> a = Rows.select(rows, "app", app, "n", Integer.toString(small));
                List<Map<String, String>> b = Rows.select(rows, "app", app, "n", Integer.toString(large));
                sb.append(String.format(
                        Locale.ROOT,
                        "- %s, per-request cost at N=%d ÷ at N=%d (≤ 1: linear or better): time to answer all %s, live heap %s%n",
                        app,
                        large,
                        small,
                        ratio(b, a, lastPerRequest),
                        ratio(b, a, heapPerRequest)));
            }
        }
        long failed = 0;
        for (Map<String, String> r : rows) {
            failed += (long) (Samples.number(r, "n") - Samples.number(r, "ok"));
        }
        sb.append(String.format(
                Locale.ROOT,
                "- Requests not answered 200, all samples: %d%s%n",
                failed,
                failed == 0 ? "" : " (**failures**)"));
        return sb.append(Rows.loadRange(rows)).toString();
    }

    private static String ratio(
            List<Map<String, String>> large, List<Map<String, String>> small, ToDoubleFunction<Map<String, String>> f) {
        double a = Rows.median(Rows.spread(large, f));
        double b = Rows.median(Rows.spread(small, f));
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static ToDoubleFunction<Map<String, String>> column(String name) {
        return r -> Samples.number(r, name);
    }
}
