package dev.graceful.benchmarks.websockets;

import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/** Group 6's {@code table.md}: memory per open WebSocket with and without graceful, then what SIGTERM did to them. */
final class WebSocketsReport {

    /** Target of issue 13: graceful's live heap per open connection within 1.05× the server's own. */
    static final double MEMORY_TARGET = 1.05;
    /** Target of issue 13: every connection closed with 1001 and the process gone this soon after the delay's end. */
    static final double EXIT_TARGET_MS = 2000;

    private WebSocketsReport() {}

    static String render(List<Map<String, String>> rows, int delayMs) {
        Set<String> apps = Rows.distinct(rows, "app");
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "%d round(s); every sample a fresh process (drain timeout 30 s, readiness delay %d ms);"
                        + " median [min–max] over rounds; ratios: graceful ÷ plain within the same round.%n%n",
                Rows.distinct(rows, "round").size(),
                delayMs));
        ToDoubleFunction<Map<String, String>> heap = perConnection("heap_open_kb", "heap_idle_kb");
        ToDoubleFunction<Map<String, String>> rss = perConnection("rss_open_kb", "rss_idle_kb");

        sb.append("#### Memory per open WebSocket (the server's live heap after a full GC, and its RSS)\n\n");
        sb.append("| example | N | open (graceful / plain) | live heap per connection, graceful (bytes)"
                + " | plain (bytes) | graceful ÷ plain | RSS per connection, graceful (bytes) | plain (bytes) |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|\n");
        StringBuilder targets = new StringBuilder();
        for (String app : apps) {
            List<Map<String, String>> g = select(rows, app, "graceful");
            List<Map<String, String>> p = select(rows, app, "plain");
            DescriptiveStatistics ratio = Rows.pairedRatio(g, p, heap);
            sb.append(Rows.line(
                    app,
                    String.join(", ", Rows.distinct(Rows.select(rows, "app", app), "n")),
                    opened(g) + " / " + opened(p),
                    Rows.cell(g, heap),
                    Rows.cell(p, heap),
                    Rows.formatRatio(ratio),
                    Rows.cell(g, rss),
                    Rows.cell(p, rss)));
            targets.append(String.format(
                    Locale.ROOT,
                    "- Target, %s: live heap per connection with graceful ≤ %.2f× without: %s (median %s)%n",
                    app,
                    MEMORY_TARGET,
                    Rows.verdict(ratio, m -> m <= MEMORY_TARGET),
                    ratio.getN() == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", Rows.median(ratio))));
        }

        sb.append("\n#### SIGTERM with every WebSocket open (times in ms from the end of the readiness delay;"
                + " plain, which has none, from SIGTERM)\n\n");
        sb.append("| example | variant | echoed before SIGTERM | got Close 1001 and answered it | close codes"
                + " | first Close | last Close | last answer sent | last TCP close | exit | exit code |\n");
        sb.append("|---|---|---|---|---|---:|---:|---:|---:|---:|---|\n");
        for (String app : apps) {
            for (String variant : WebSocketsBench.VARIANTS) {
                List<Map<String, String>> s = select(rows, app, variant);
                if (s.isEmpty()) {
                    continue;
                }
                sb.append(Rows.line(
                        app,
                        variant.equals("graceful") ? "graceful" : "without graceful",
                        sum(s, "echoed") + "/" + sum(s, "opened"),
                        sum(s, "closed_1001") + "/" + sum(s, "n"),
                        distinct(s, "close_codes"),
                        Rows.cell(s, Rows.column("first_close_ms")),
                        Rows.cell(s, Rows.column("last_close_ms")),
                        Rows.cell(s, Rows.column("last_answer_ms")),
                        Rows.cell(s, Rows.column("last_tcp_close_ms")),
                        Rows.cell(s, Rows.column("exit_ms")),
                        distinct(s, "exit_code")));
            }
            List<Map<String, String>> g = select(rows, app, "graceful");
            DescriptiveStatistics exit = Rows.spread(g, Rows.column("exit_ms"));
            boolean allClosed = !g.isEmpty() && sum(g, "closed_1001") == sum(g, "n");
            boolean allZero = g.stream().allMatch(r -> "0".equals(r.get("exit_code")));
            targets.append(String.format(
                    Locale.ROOT,
                    "- Target, %s: every connection closed with 1001, exit code 0, exit ≤ %.0f ms after the delay's end: %s"
                            + " (%d/%d closed with 1001; exit codes %s; exit median %s ms)%n",
                    app,
                    EXIT_TARGET_MS,
                    g.isEmpty()
                            ? "not measured"
                            : allClosed && allZero && Rows.median(exit) <= EXIT_TARGET_MS ? "**met**" : "**NOT met**",
                    sum(g, "closed_1001"),
                    sum(g, "n"),
                    distinct(g, "exit_code"),
                    exit.getN() == 0 ? "n/a" : Rows.number(Rows.median(exit))));
        }
        sb.append('\n').append(targets);
        long assumed = rows.stream()
                .filter(r -> "assumed".equals(r.get("delay_end_from")))
                .count();
        if (assumed > 0) {
            sb.append(String.format(
                    Locale.ROOT,
                    "- In %d sample(s) the delay's end was not logged; SIGTERM + %d ms was taken instead%n",
                    assumed,
                    delayMs));
        }
        return sb.append(Rows.loadRange(rows)).toString();
    }

    /** Bytes per open connection: the growth of a {@code kB} figure from idle to all open, over those open. */
    private static ToDoubleFunction<Map<String, String>> perConnection(String open, String idle) {
        return r -> Samples.number(r, "opened") > 0
                ? 1024 * (Samples.number(r, open) - Samples.number(r, idle)) / Samples.number(r, "opened")
                : Double.NaN;
    }

    private static List<Map<String, String>> select(List<Map<String, String>> rows, String app, String variant) {
        return Rows.select(rows, "app", app, "variant", variant);
    }

    /** Open of all, and why the others failed: {@code 9998/10000 (handshake:2)}. */
    private static String opened(List<Map<String, String>> rows) {
        Set<String> failures = new TreeSet<>();
        rows.forEach(r -> {
            if (r.get("failures") != null) {
                failures.add(r.get("failures"));
            }
        });
        return sum(rows, "opened") + "/" + sum(rows, "n")
                + (failures.isEmpty() ? "" : " (" + String.join("; ", failures) + ")");
    }

    private static long sum(List<Map<String, String>> rows, String column) {
        return rows.stream()
                .mapToLong(r -> r.get(column) == null ? 0 : Long.parseLong(r.get(column)))
                .sum();
    }

    private static String distinct(List<Map<String, String>> rows, String column) {
        Set<String> v = new TreeSet<>();
        rows.forEach(r -> v.add(r.getOrDefault(column, "none")));
        return String.join("; ", v);
    }
}
