package dev.graceful.benchmarks.reaction;

import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * Turns group 3's {@code samples.csv} into its Markdown report: per example, graceful next to the
 * framework's own graceful stop, medians over rounds with {@code [min–max]}, and ratios paired
 * within a round. Usage: {@code java -cp benchmarks.jar dev.graceful.benchmarks.reaction.ReactionReport samples.csv}.
 */
public final class ReactionReport {

    /** Target of issue 7: last in-flight completion to exit, median. */
    static final double TARGET_MS = 50;

    private ReactionReport() {}

    public static void main(String[] args) throws IOException {
        Rows.printReport(args, ReactionReport.class, rows -> render(rows, -1, -1, -1));
    }

    static String render(List<Map<String, String>> rows, int workMs, int inFlight, int termAfterMs) {
        Set<String> apps = Rows.distinct(rows, "app");
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "%d round(s); every sample a fresh process;"
                        + " times in ms, median [min–max] over rounds; ratios: graceful ÷ framework within the same round.%n%n",
                Rows.distinct(rows, "round").size()));

        sb.append("#### Last in-flight completion → exit");
        if (workMs > 0) {
            sb.append(String.format(
                    Locale.ROOT,
                    " (%d × `GET /work?ms=%d` in flight, SIGTERM %d ms after they were sent)",
                    inFlight,
                    workMs,
                    termAfterMs));
        }
        sb.append(
                "\n\n| example | graceful | framework's own stop | graceful ÷ framework | answered 200 (graceful / framework) |\n");
        sb.append("|---|---:|---:|---:|---|\n");
        ToDoubleFunction<Map<String, String>> lastToExit =
                r -> Samples.number(r, "exit_ms") - Samples.number(r, "last_ms");
        for (String app : apps) {
            List<Map<String, String>> g = select(rows, app, "graceful", "inflight");
            List<Map<String, String>> f = select(rows, app, "framework", "inflight");
            sb.append(Rows.line(
                    app,
                    spread(g, lastToExit),
                    cell(f, lastToExit),
                    ratio(g, f, lastToExit),
                    Rows.answered(g, "requests") + " / " + Rows.answered(f, "requests")));
        }

        sb.append("\n#### SIGTERM → exit, nothing in flight, no readiness delay\n\n");
        sb.append(
                "| example | graceful | framework's own stop | graceful ÷ framework | exit codes (graceful / framework) |\n");
        sb.append("|---|---:|---:|---:|---|\n");
        ToDoubleFunction<Map<String, String>> exit = r -> Samples.number(r, "exit_ms");
        for (String app : apps) {
            List<Map<String, String>> g = select(rows, app, "graceful", "idle");
            List<Map<String, String>> f = select(rows, app, "framework", "idle");
            sb.append(Rows.line(app, spread(g, exit), spread(f, exit), ratio(g, f, exit), codes(g) + " / " + codes(f)));
        }

        sb.append("\n#### Where graceful's time goes (from its log lines' arrival)\n\n");
        sb.append(
                "| example | scenario | start → `Drained in` | `Drained in` → `Shutdown complete` | `Shutdown complete` → exit | total |\n");
        sb.append("|---|---|---:|---:|---:|---:|\n");
        for (String scenario : List.of("inflight", "idle")) {
            boolean inflight = scenario.equals("inflight");
            ToDoubleFunction<Map<String, String>> start = r -> inflight ? Samples.number(r, "last_ms") : 0;
            for (String app : apps) {
                List<Map<String, String>> g = select(rows, app, "graceful", scenario);
                sb.append(Rows.line(
                        app,
                        inflight ? "last completion → exit" : "SIGTERM → exit",
                        spread(g, r -> Samples.number(r, "drained_ms") - start.applyAsDouble(r)),
                        spread(g, r -> Samples.number(r, "complete_ms") - Samples.number(r, "drained_ms")),
                        spread(g, r -> Samples.number(r, "exit_ms") - Samples.number(r, "complete_ms")),
                        spread(g, r -> Samples.number(r, "exit_ms") - start.applyAsDouble(r))));
            }
        }
        sb.append('\n');

        for (String app : apps) {
            DescriptiveStatistics s = Rows.spread(select(rows, app, "graceful", "inflight"), lastToExit);
            sb.append(String.format(
                    Locale.ROOT,
                    "- Target, %s: last completion → exit ≤ %.0f ms median: %s (median %s ms)%n",
                    app,
                    TARGET_MS,
                    Rows.verdict(s, m -> m <= TARGET_MS),
                    s.getN() == 0 ? "n/a" : Rows.number(Rows.median(s))));
        }
        return sb.append(Rows.loadRange(rows)).toString();
    }

    private static List<Map<String, String>> select(
            List<Map<String, String>> rows, String app, String variant, String scenario) {
        return Rows.select(rows, "app", app, "variant", variant, "scenario", scenario);
    }

    private static String spread(List<Map<String, String>> rows, ToDoubleFunction<Map<String, String>> f) {
        return Rows.format(Rows.spread(rows, f));
    }

    /** A baseline cell: its spread, or why there is none (its requests were not all answered). */
    private static String cell(List<Map<String, String>> rows, ToDoubleFunction<Map<String, String>> f) {
        DescriptiveStatistics s = Rows.spread(rows, f);
        if (s.getN() == rows.size() || rows.isEmpty()) {
            return Rows.format(s);
        }
        String measured = s.getN() == 0 ? "n/a" : Rows.format(s) + " (" + s.getN() + " of " + rows.size() + ")";
        return measured + ": requests cut";
    }

    private static String ratio(
            List<Map<String, String>> subject,
            List<Map<String, String>> baseline,
            ToDoubleFunction<Map<String, String>> f) {
        return Rows.formatRatio(Rows.pairedRatio(subject, baseline, f));
    }

    private static String codes(List<Map<String, String>> rows) {
        return String.join(
                ", ",
                new TreeSet<>(
                        rows.stream().map(r -> r.getOrDefault("exit_code", "?")).toList()));
    }
}
