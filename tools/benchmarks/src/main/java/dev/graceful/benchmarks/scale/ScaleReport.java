package dev.graceful.benchmarks.scale;

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
 * Turns group 4's {@code samples.csv} into its Markdown report: per example and size, medians over
 * rounds with {@code [min–max]}, the per-request figures, and how they change from the smallest
 * size to the largest (at most 1 means linear or better). Usage:
 * {@code java -cp benchmarks.jar dev.graceful.benchmarks.scale.ScaleReport samples.csv}.
 */
public final class ScaleReport {

    private ScaleReport() {
    }

    /**
     * Prints the report of a samples file.
     *
     * @param args the samples file
     * @throws IOException when it cannot be read
     */
    public static void main(String[] args) throws IOException {
        Rows.printReport(args, "dev.graceful.benchmarks.scale.ScaleReport", ScaleReport::render);
    }

    static String render(List<Map<String, String>> rows) {
        Set<String> apps = new LinkedHashSet<>();
        Set<Integer> sizes = new TreeSet<>();
        Set<String> rounds = new TreeSet<>();
        for (Map<String, String> r : rows) {
            apps.add(r.get("app"));
            sizes.add(Integer.parseInt(r.get("n")));
            rounds.add(r.get("round"));
        }
        ToDoubleFunction<Map<String, String>> last = r -> Samples.number(r, "last_after_due_ms");
        ToDoubleFunction<Map<String, String>> lastPerRequest = r -> 1000 * last.applyAsDouble(r) / Samples.number(r, "n");
        ToDoubleFunction<Map<String, String>> heapMib = r -> (Samples.number(r, "heap_held_kb") - Samples.number(r, "heap_idle_kb")) / 1024;
        ToDoubleFunction<Map<String, String>> heapPerRequest = r -> 1024 * 1024 * heapMib.applyAsDouble(r) / Samples.number(r, "n");
        ToDoubleFunction<Map<String, String>> rssMib = r -> (Samples.number(r, "rss_held_kb") - Samples.number(r, "rss_idle_kb")) / 1024;

        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d round(s); every sample a fresh process; median [min–max] over rounds."
                + " All N requests were due at the same moment, a few seconds after they were sent; SIGTERM came while"
                + " all were held.%n%n", rounds.size()));
        sb.append("| example | N | answered 200 | last response after due (ms) | per request (µs) | last response → exit (ms)"
                + " | SIGTERM → `Drained in` (ms) | live heap held (MiB) | per request (bytes) | RSS held (MiB) | peak RSS (MiB) |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String app : apps) {
            for (int n : sizes) {
                List<Map<String, String>> s = Rows.select(rows, "app", app, "n", Integer.toString(n));
                if (s.isEmpty()) {
                    continue;
                }
                sb.append("| ").append(app).append(" | ").append(n).append(" | ").append(Rows.answered(s, "n"))
                        .append(" | ").append(Rows.spread(s, last).format())
                        .append(" | ").append(Rows.spread(s, lastPerRequest).format())
                        .append(" | ").append(Rows.spread(s, r -> Samples.number(r, "last_to_exit_ms")).format())
                        .append(" | ").append(Rows.spread(s, r -> Samples.number(r, "drained_ms")).format())
                        .append(" | ").append(Rows.spread(s, heapMib).format())
                        .append(" | ").append(Rows.spread(s, heapPerRequest).format())
                        .append(" | ").append(Rows.spread(s, rssMib).format())
                        .append(" | ").append(Rows.spread(s, r -> Samples.number(r, "hwm_kb") / 1024).format())
                        .append(" |\n");
            }
        }
        sb.append('\n');
        if (sizes.size() > 1) {
            int small = sizes.iterator().next();
            int large = ((TreeSet<Integer>) sizes).last();
            for (String app : apps) {
                List<Map<String, String>> a = Rows.select(rows, "app", app, "n", Integer.toString(small));
                List<Map<String, String>> b = Rows.select(rows, "app", app, "n", Integer.toString(large));
                sb.append(String.format(Locale.ROOT,
                        "- %s, per-request cost at N=%d ÷ at N=%d (≤ 1: linear or better): time to answer all %s, live heap %s%n",
                        app, large, small, ratio(b, a, lastPerRequest), ratio(b, a, heapPerRequest)));
            }
        }
        long failed = 0;
        for (Map<String, String> r : rows) {
            failed += (long) (Samples.number(r, "n") - Samples.number(r, "ok"));
        }
        sb.append(String.format(Locale.ROOT, "- Requests not answered 200, all samples: %d%s%n", failed, failed == 0 ? "" : " (**failures**)"));
        String load = Rows.loadRange(rows);
        if (!load.isEmpty()) {
            sb.append('\n').append(load);
        }
        return sb.toString();
    }

    private static String ratio(List<Map<String, String>> large, List<Map<String, String>> small,
            ToDoubleFunction<Map<String, String>> f) {
        Spread a = Rows.spread(large, f);
        Spread b = Rows.spread(small, f);
        return a.count() == 0 || b.count() == 0 || b.median() <= 0 ? "n/a"
                : String.format(Locale.ROOT, "%.2f", a.median() / b.median());
    }
}
