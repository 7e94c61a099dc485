package dev.graceful.benchmarks.overhead;

import dev.graceful.benchmarks.support.Forks;
import dev.graceful.benchmarks.support.Rows;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * Group 2's report ({@code table.md}, and {@code --decide}'s output): the throughput and p99 ratios, graceful's
 * cost per request, the servers' own CPU time per request, and the targets decided over forks.
 */
final class OverheadReport {

    /** Target of issue 7: throughput with graceful ÷ without, median. */
    static final double TARGET_RATIO = 0.97;
    /** Targets of issue 17: the ratio's min–max within ± this; graceful's cost per request at most this, in µs. */
    static final double TARGET_SPREAD = 0.03;

    static final double TARGET_MICROS = 0.15;

    private static final ToDoubleFunction<Map<String, String>> CPU_US = Rows.column("cpu_us");
    private static final ToDoubleFunction<Map<String, String>> RPS = Rows.column("rps");
    private static final ToDoubleFunction<Map<String, String>> P99 = Rows.column("p99_ms");
    private static final ToDoubleFunction<Map<String, String>> ERRORS = Rows.column("errors");

    private OverheadReport() {}

    /**
     * Graceful's cost per request in µs from two throughputs: 1/throughput is the server's time per request
     * on its one pinned core, so the difference does not depend on the request rate, as a ratio does.
     */
    private static double micros(double graceful, double plain) {
        return 1e6 / graceful - 1e6 / plain;
    }

    /** The errors cell: socket errors and non-2xx answers, graceful's / plain's. */
    private static String errors(List<Map<String, String>> g, List<Map<String, String>> p) {
        return (long) Rows.spread(g, ERRORS).getSum() + " / "
                + (long) Rows.spread(p, ERRORS).getSum();
    }

    /** With several forks: each pair of servers' medians, which show what one pair's JIT luck weighs. */
    private static String perFork(String app, double[] ratios, double[] micros) {
        if (ratios.length < 2) {
            return "";
        }
        StringBuilder line = new StringBuilder("  - " + app + ", median throughput ratio of each fork:");
        for (double r : ratios) {
            line.append(String.format(Locale.ROOT, " %.3f", r));
        }
        line.append("; µs per request:");
        for (double us : micros) {
            line.append(String.format(Locale.ROOT, " %.2f", us));
        }
        // What sets how many forks a verdict on 0.15 µs needs: the interval's half-width is about
        // twice this over the square root of the forks.
        line.append(String.format(
                Locale.ROOT,
                " (standard deviation %.2f µs)",
                new DescriptiveStatistics(micros).getStandardDeviation()));
        return line.append('\n').toString();
    }

    static String render(List<Map<String, String>> rows, OverheadBench.Slices slices) {
        if (rows.stream().anyMatch(r -> "yes".equals(r.get("together")))) {
            return renderTogether(rows, slices);
        }
        int forks = Rows.distinct(rows, "fork").size();
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "%d round(s)%s, each %s s per variant of `wrk -t1 -c%d --latency` on `GET /`; median [min–max] over"
                        + " rounds; ratios and costs: graceful against plain within the same round.%n%n",
                Rows.distinct(rows, "round").size(),
                forks > 1 ? " in " + forks + " fresh pairs of servers (forks)" : "",
                slices.perVariant(),
                slices.connections()));
        sb.append(
                "| example | req/s graceful | req/s plain | **throughput ratio** | **µs per request** | p99 ms graceful"
                        + " | p99 ms plain | p99 ratio | errors (graceful / plain) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        StringBuilder cpu = new StringBuilder(
                "\nThe servers' own CPU time per request (all threads, user and kernel), the same rounds:\n\n"
                        + "| example | CPU µs per request, graceful | plain | **CPU ratio** | **CPU µs per request added** |\n"
                        + "|---|---:|---:|---:|---:|\n");
        ToDoubleFunction<Map<String, String>> sliceCv = Rows.column("slice_cv");
        StringBuilder targets = new StringBuilder("\n");
        for (String app : Rows.distinct(rows, "app")) {
            List<Map<String, String>> g = Rows.select(rows, "app", app, "variant", "graceful");
            List<Map<String, String>> p = Rows.select(rows, "app", app, "variant", "plain");
            DescriptiveStatistics s = Rows.pairedRatio(g, p, RPS);
            DescriptiveStatistics us = Rows.paired(g, p, RPS, OverheadReport::micros);
            sb.append(Rows.line(
                    app,
                    Rows.cell(g, RPS),
                    Rows.cell(p, RPS),
                    "**" + Rows.formatRatio(s) + "**",
                    "**" + Rows.formatRatio(us) + "**",
                    Rows.cell(g, P99),
                    Rows.cell(p, P99),
                    Rows.ratio(g, p, P99),
                    errors(g, p)));
            DescriptiveStatistics cpuRatio = Rows.pairedRatio(g, p, CPU_US);
            DescriptiveStatistics cpuAdded = Rows.paired(g, p, CPU_US, (a, b) -> a - b);
            cpu.append(Rows.line(
                    app,
                    Rows.cell(g, CPU_US),
                    Rows.cell(p, CPU_US),
                    "**" + Rows.formatRatio(cpuRatio) + "**",
                    "**" + Rows.formatRatio(cpuAdded) + "**"));
            double[] forkRatios = Forks.medians(g, p, RPS, Rows::ratioOf);
            double[] forkMicros = Forks.medians(g, p, RPS, OverheadReport::micros);
            targets.append(String.format(
                    Locale.ROOT,
                    "- Target, %s, decided over forks: throughput ratio ≥ %.2f: %s; µs per request ≤ %.2f: %s."
                            + " Over rounds: median ratio %s, spread ±%.3f (target ±%.2f: %s)%n",
                    app,
                    TARGET_RATIO,
                    Forks.verdictAtLeast(forkRatios, TARGET_RATIO),
                    TARGET_MICROS,
                    Forks.verdictAtMost(forkMicros, TARGET_MICROS),
                    s.getN() == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", Rows.median(s)),
                    (s.getMax() - s.getMin()) / 2,
                    TARGET_SPREAD,
                    s.getN() > 1 && s.getMax() - s.getMin() <= 2 * TARGET_SPREAD ? "**met**" : "**NOT met**"));
            targets.append(perFork(app, forkRatios, forkMicros));
            if (slices.count() > 1) {
                targets.append(String.format(
                        Locale.ROOT,
                        "  - %s, one slice's throughput against the others of its round (coefficient of variation,"
                                + " median over rounds): ±%.1f %% graceful, ±%.1f %% plain%n",
                        app,
                        100 * Rows.median(Rows.spread(g, sliceCv)),
                        100 * Rows.median(Rows.spread(p, sliceCv))));
            }
        }
        return sb.append(cpu).append(targets).append(Rows.loadRange(rows)).toString();
    }

    /**
     * With forks on both arrangements of the connectors: the cost as measured on each, and half their difference,
     * which is what the example's connector gives the side on it over the second connector (the mean over
     * both arrangements carries none of it).
     */
    private static String byConnector(String app, List<Map<String, String>> g, List<Map<String, String>> p) {
        // Samples of before the swap have no such column: graceful was on the example's connector in all of them.
        double[] first = Forks.medians(notSwapped(g), notSwapped(p), CPU_US, (a, b) -> a - b);
        double[] second = Forks.medians(
                Rows.select(g, "swapped", "yes"), Rows.select(p, "swapped", "yes"), CPU_US, (a, b) -> a - b);
        if (first.length == 0 || second.length == 0) {
            return "";
        }
        double a = new DescriptiveStatistics(first).getMean();
        double b = new DescriptiveStatistics(second).getMean();
        return String.format(
                Locale.ROOT,
                "  - %s, µs per request added, mean over forks: %.3f with graceful on the example's connector (%d"
                        + " fork(s)), %.3f on the second connector (%d fork(s)); the example's connector's own edge, half"
                        + " their difference: %.3f µs%n",
                app,
                a,
                first.length,
                b,
                second.length,
                (a - b) / 2);
    }

    private static List<Map<String, String>> notSwapped(List<Map<String, String>> rows) {
        return rows.stream().filter(r -> !"yes".equals(r.get("swapped"))).toList();
    }

    /**
     * {@code --together}: the cost per request is each side's own connector's CPU time per request, both
     * sides loaded at once; their throughputs split by their connections, so no ratio is decided.
     */
    private static String renderTogether(List<Map<String, String>> rows, OverheadBench.Slices slices) {
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "%d round(s) in %d fork(s), each %s s with both variants loaded at once (`wrk -t1 -c%d --latency`"
                        + " on `GET /` each); a side's CPU time: its own connector's threads (Netty, in two processes: its JVM's"
                        + " event loops); median [min–max] over"
                        + " rounds, graceful against plain within the same round.%n%n",
                Rows.distinct(rows, "round").size(),
                Rows.distinct(rows, "fork").size(),
                slices.perVariant(),
                Math.max(1, slices.connections() / 2)));
        sb.append("| example | CPU µs per request, graceful | plain | **µs per request added** | req/s graceful"
                + " | req/s plain | p99 ms graceful | p99 ms plain | errors (graceful / plain) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        StringBuilder targets = new StringBuilder("\n");
        for (String app : Rows.distinct(rows, "app")) {
            List<Map<String, String>> g = Rows.select(rows, "app", app, "variant", "graceful");
            List<Map<String, String>> p = Rows.select(rows, "app", app, "variant", "plain");
            sb.append(Rows.line(
                    app,
                    Rows.cell(g, CPU_US),
                    Rows.cell(p, CPU_US),
                    "**" + Rows.formatRatio(Rows.paired(g, p, CPU_US, (a, b) -> a - b)) + "**",
                    Rows.cell(g, RPS),
                    Rows.cell(p, RPS),
                    Rows.cell(g, P99),
                    Rows.cell(p, P99),
                    errors(g, p)));
            double[] forkMicros = Forks.medians(g, p, CPU_US, (a, b) -> a - b);
            targets.append(String.format(
                    Locale.ROOT,
                    "- Target, %s, decided over forks: µs per request ≤ %.2f: %s. The throughput ratio is not decided"
                            + " here: both sides share the core at once, so each side's throughput follows its"
                            + " connections, not its cost.%n",
                    app,
                    TARGET_MICROS,
                    Forks.verdictAtMost(forkMicros, TARGET_MICROS)));
            if (forkMicros.length > 1) {
                StringBuilder line = new StringBuilder("  - " + app + ", µs per request added, each fork:");
                for (double us : forkMicros) {
                    line.append(String.format(Locale.ROOT, " %.3f", us));
                }
                targets.append(line)
                        .append(String.format(
                                Locale.ROOT,
                                " (standard deviation %.3f µs)%n",
                                new DescriptiveStatistics(forkMicros).getStandardDeviation()));
            }
            targets.append(byConnector(app, g, p));
        }
        return sb.append(targets).append(Rows.loadRange(rows)).toString();
    }
}
