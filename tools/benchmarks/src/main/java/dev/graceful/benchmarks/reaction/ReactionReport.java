package dev.graceful.benchmarks.reaction;

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
 * Turns group 3's {@code samples.csv} into its Markdown report: per example, graceful next to the
 * framework's own graceful stop, medians over rounds with {@code [min–max]}, and ratios paired
 * within a round. Usage: {@code java -cp benchmarks.jar dev.graceful.benchmarks.reaction.ReactionReport samples.csv}.
 */
public final class ReactionReport {

    /** Target of issue 7: last in-flight completion to exit, median. */
    static final double TARGET_MS = 50;

    private ReactionReport() {
    }

    /**
     * Prints the report of a samples file.
     *
     * @param args the samples file
     * @throws IOException when it cannot be read
     */
    public static void main(String[] args) throws IOException {
        Rows.printReport(args, "dev.graceful.benchmarks.reaction.ReactionReport", rows -> render(rows, -1, -1, -1));
    }

    static String render(List<Map<String, String>> rows, int workMs, int inFlight, int termAfterMs) {
        Set<String> apps = new LinkedHashSet<>();
        Set<String> rounds = new TreeSet<>();
        for (Map<String, String> r : rows) {
            apps.add(r.get("app"));
            rounds.add(r.get("round"));
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d round(s); every sample a fresh process; times in ms, median [min–max] over rounds;"
                + " ratios: graceful ÷ framework within the same round.%n%n", rounds.size()));

        sb.append("#### Last in-flight completion → exit");
        if (workMs > 0) {
            sb.append(String.format(Locale.ROOT, " (%d × `GET /work?ms=%d` in flight, SIGTERM %d ms after they were sent)",
                    inFlight, workMs, termAfterMs));
        }
        sb.append("\n\n| example | graceful | framework's own stop | graceful ÷ framework | answered 200 (graceful / framework) |\n");
        sb.append("|---|---:|---:|---:|---|\n");
        ToDoubleFunction<Map<String, String>> lastToExit = r -> Samples.number(r, "exit_ms") - Samples.number(r, "last_ms");
        for (String app : apps) {
            List<Map<String, String>> g = select(rows, app, "graceful", "inflight");
            List<Map<String, String>> f = select(rows, app, "framework", "inflight");
            sb.append("| ").append(app).append(" | ").append(spread(g, lastToExit).format()).append(" | ")
                    .append(cell(f, lastToExit)).append(" | ").append(ratio(g, f, lastToExit)).append(" | ")
                    .append(Rows.answered(g, "requests")).append(" / ").append(Rows.answered(f, "requests")).append(" |\n");
        }
        sb.append('\n');

        sb.append("#### SIGTERM → exit, nothing in flight, no readiness delay\n\n");
        sb.append("| example | graceful | framework's own stop | graceful ÷ framework | exit codes (graceful / framework) |\n");
        sb.append("|---|---:|---:|---:|---|\n");
        ToDoubleFunction<Map<String, String>> exit = r -> Samples.number(r, "exit_ms");
        for (String app : apps) {
            List<Map<String, String>> g = select(rows, app, "graceful", "idle");
            List<Map<String, String>> f = select(rows, app, "framework", "idle");
            sb.append("| ").append(app).append(" | ").append(spread(g, exit).format()).append(" | ")
                    .append(spread(f, exit).format()).append(" | ").append(ratio(g, f, exit)).append(" | ")
                    .append(codes(g)).append(" / ").append(codes(f)).append(" |\n");
        }
        sb.append('\n');

        sb.append("#### Where graceful's time goes (from its log lines' arrival)\n\n");
        sb.append("| example | scenario | start → `Drained in` | `Drained in` → `Shutdown complete` | `Shutdown complete` → exit | total |\n");
        sb.append("|---|---|---:|---:|---:|---:|\n");
        for (String scenario : List.of("inflight", "idle")) {
            for (String app : apps) {
                List<Map<String, String>> g = select(rows, app, "graceful", scenario);
                ToDoubleFunction<Map<String, String>> start = scenario.equals("inflight") ? r -> Samples.number(r, "last_ms") : r -> 0;
                sb.append("| ").append(app).append(" | ")
                        .append(scenario.equals("inflight") ? "last completion → exit" : "SIGTERM → exit").append(" | ")
                        .append(spread(g, r -> Samples.number(r, "drained_ms") - start.applyAsDouble(r)).format()).append(" | ")
                        .append(spread(g, r -> Samples.number(r, "complete_ms") - Samples.number(r, "drained_ms")).format()).append(" | ")
                        .append(spread(g, r -> Samples.number(r, "exit_ms") - Samples.number(r, "complete_ms")).format()).append(" | ")
                        .append(spread(g, r -> Samples.number(r, "exit_ms") - start.applyAsDouble(r)).format()).append(" |\n");
            }
        }
        sb.append('\n');

        for (String app : apps) {
            Spread s = spread(select(rows, app, "graceful", "inflight"), lastToExit);
            sb.append(String.format(Locale.ROOT, "- Target, %s: last completion → exit ≤ %.0f ms median: %s (median %s ms)%n", app,
                    TARGET_MS, s.count() == 0 ? "not measured" : s.median() <= TARGET_MS ? "**met**" : "**NOT met**",
                    s.count() == 0 ? "n/a" : Spread.number(s.median())));
        }
        String load = Rows.loadRange(rows);
        if (!load.isEmpty()) {
            sb.append('\n').append(load);
        }
        return sb.toString();
    }

    static List<Map<String, String>> select(List<Map<String, String>> rows, String app, String variant, String scenario) {
        return Rows.select(rows, "app", app, "variant", variant, "scenario", scenario);
    }

    static Spread spread(List<Map<String, String>> rows, ToDoubleFunction<Map<String, String>> f) {
        return Rows.spread(rows, f);
    }

    /** A baseline cell: its spread, or why there is none (its requests were not all answered). */
    private static String cell(List<Map<String, String>> rows, ToDoubleFunction<Map<String, String>> f) {
        Spread s = spread(rows, f);
        if (s.count() == rows.size() || rows.isEmpty()) {
            return s.format();
        }
        String measured = s.count() == 0 ? "n/a" : s.format() + " (" + s.count() + " of " + rows.size() + ")";
        return measured + ": requests cut";
    }

    private static String ratio(List<Map<String, String>> subject, List<Map<String, String>> baseline,
            ToDoubleFunction<Map<String, String>> f) {
        return Rows.pairedRatio(subject, baseline, f).formatRatio();
    }

    private static String codes(List<Map<String, String>> rows) {
        Set<String> c = new TreeSet<>();
        for (Map<String, String> r : rows) {
            c.add(r.getOrDefault("exit_code", "?"));
        }
        return String.join(", ", c);
    }
}
