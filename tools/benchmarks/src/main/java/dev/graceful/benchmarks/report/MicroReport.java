package dev.graceful.benchmarks.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns JMH JSON result files of group 1 (the tracker hot path) into the table of
 * {@code docs/BENCHMARKS.md}: each benchmark's cost relative to the {@code LongAdder} pair and
 * the {@code AtomicLong} pair measured in the same run.
 *
 * <h2>How samples are paired</h2>
 * A sample is one fork of one benchmark: the median of that fork's measurement iterations. The
 * sample of a benchmark and the sample of a baseline are paired when they come from the same file
 * and the same fork index, that is, from the same JMH invocation (one round of
 * {@code bin/run-micro}), minutes apart at most, under the same background load. Each pair gives
 * one ratio; the report prints the median ratio with its range. Absolute times are printed only
 * next to the ratios, as context: they belong to this machine and this load.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.graceful.benchmarks.report.MicroReport round-1.json
 * round-2.json ...}; prints Markdown on standard output.
 */
public final class MicroReport {

    /** The baseline graceful's target is stated against. */
    static final String LONG_ADDER = "longAdderPair";
    /** The naive baseline. */
    static final String ATOMIC_LONG = "atomicLongPair";
    /** graceful's hot path, the subject of the targets. */
    static final String SUBJECT = "gracefulEnterExit";
    /** Target: the hot path costs at most this many LongAdder pairs. */
    static final double TARGET_RATIO = 1.2;
    /**
     * Target: no allocation. JMH's figure includes its own bookkeeping spread over millions of
     * operations (a few thousandths of a byte); a real allocation is at least 16 bytes, so anything
     * below one byte per operation is none.
     */
    static final double ZERO_BYTES = 1.0;

    /** Rows in this order first (subjects, then baselines); anything else after, by name. */
    private static final List<String> ORDER = List.of(SUBJECT, "gracefulEnterExitWhileDraining",
            "gracefulBeginClose", "casLoopOneWord", ATOMIC_LONG, LONG_ADDER);

    private MicroReport() {
    }

    /**
     * Prints the report for the given JMH JSON files.
     *
     * @param args the result files
     * @throws IOException when a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: MicroReport <jmh-result.json>...   (files written by JMH with -rf json)");
            System.exit(2);
        }
        try {
            List<JmhResult> results = new ArrayList<>();
            for (String a : args) {
                results.addAll(JmhResult.read(Path.of(a)));
            }
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            out.print(render(results));
            out.flush();
        } catch (IllegalArgumentException e) {
            System.err.println("MicroReport: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Renders the Markdown report: one section per JVM.
     *
     * @param results every result read
     * @return the report
     * @throws IllegalArgumentException when there is nothing to report, or no baseline to compare to
     */
    static String render(List<JmhResult> results) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no benchmark results in the input");
        }
        Map<String, List<JmhResult>> byJvm = new LinkedHashMap<>();
        for (JmhResult r : results) {
            byJvm.computeIfAbsent(r.jvm(), k -> new ArrayList<>()).add(r);
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<JmhResult>> e : byJvm.entrySet()) {
            section(sb, e.getKey(), e.getValue());
        }
        return sb.toString();
    }

    private static void section(StringBuilder sb, String jvm, List<JmhResult> results) {
        // threads -> method -> samples (pairing key -> sample)
        Map<Integer, Map<String, Samples>> table = new TreeMap<>();
        Set<String> units = new LinkedHashSet<>();
        Set<String> settings = new LinkedHashSet<>();
        for (JmhResult r : results) {
            units.add(r.unit());
            settings.add(r.warmup() + " warm-up, " + r.iterations() + " measured");
            table.computeIfAbsent(r.threads(), k -> new TreeMap<>(MicroReport::compareRows))
                    .computeIfAbsent(r.method(), k -> new Samples())
                    .add(r);
        }
        String unit = String.join(", ", units);
        int samples = table.values().stream().flatMap(m -> m.values().stream())
                .mapToInt(s -> s.score.size()).min().orElse(0);

        sb.append("### ").append(jvm).append("\n\n");
        sb.append("Per fork: ").append(String.join("; ", settings)).append(" iterations; a sample is the median of a fork's")
                .append(" measured iterations. At least ").append(samples).append(" sample(s) per benchmark. Ratios: the")
                .append(" row's cost divided by the baseline's cost in the same run (same file, same fork index);")
                .append(" median [min–max] over those pairs; above 1 is slower.\n\n");
        sb.append("| threads | benchmark | ").append(unit).append(" | × LongAdder pair | × AtomicLong pair | B/op |\n");
        sb.append("|---:|---|---:|---:|---:|---:|\n");
        for (Map.Entry<Integer, Map<String, Samples>> t : table.entrySet()) {
            Map<String, Samples> rows = t.getValue();
            for (Map.Entry<String, Samples> row : rows.entrySet()) {
                Samples s = row.getValue();
                sb.append("| ").append(t.getKey()).append(" | ").append(row.getKey()).append(" | ")
                        .append(Spread.of(s.score.values()).format()).append(" | ")
                        .append(ratioCell(row.getKey(), LONG_ADDER, s, rows.get(LONG_ADDER))).append(" | ")
                        .append(ratioCell(row.getKey(), ATOMIC_LONG, s, rows.get(ATOMIC_LONG))).append(" | ")
                        .append(Spread.of(s.bytes.values()).format()).append(" |\n");
            }
        }
        sb.append('\n');
        targets(sb, table);
        sb.append('\n');
    }

    private static void targets(StringBuilder sb, Map<Integer, Map<String, Samples>> table) {
        for (Map.Entry<Integer, Map<String, Samples>> t : table.entrySet()) {
            Samples subject = t.getValue().get(SUBJECT);
            Samples adder = t.getValue().get(LONG_ADDER);
            if (subject == null || adder == null) {
                continue;
            }
            Spread ratio = Spread.of(ratios(subject, adder));
            Spread bytes = Spread.of(subject.bytes.values());
            String threads = t.getKey() + (t.getKey() == 1 ? " thread" : " threads");
            sb.append(String.format(Locale.ROOT,
                    "- Target on %s: %s ≤ %.1f× the LongAdder pair: %s (median %.2f×; fastest samples %.2f×);",
                    threads, SUBJECT, TARGET_RATIO,
                    ratio.count() == 0 ? "not measured" : ratio.median() <= TARGET_RATIO ? "**met**" : "**NOT met**",
                    ratio.median(), fastest(subject) / fastest(adder)));
            sb.append(bytes.count() == 0 ? " allocation: not measured (run with -prof gc)\n"
                    : String.format(Locale.ROOT, " 0 B/op: %s (at most %s B/op)\n",
                            bytes.max() < ZERO_BYTES ? "**met**" : "**NOT met**", Spread.number(bytes.max())));
        }
    }

    /**
     * The cost of a benchmark's least disturbed sample. Background load only ever adds time, so on
     * a shared machine the fastest samples are the closest to the code's own cost; printed next to
     * the median ratio, never instead of it.
     */
    private static double fastest(Samples s) {
        Spread spread = Spread.of(s.score.values());
        return s.higherIsBetter ? 1 / spread.max() : spread.min();
    }

    private static String ratioCell(String method, String baselineName, Samples subject, Samples baseline) {
        if (method.equals(baselineName)) {
            return "(baseline)";
        }
        if (baseline == null) {
            return "n/a";
        }
        return Spread.of(ratios(subject, baseline)).formatRatio();
    }

    /** Cost ratios of the pairs of samples taken in the same run; cost is time, or 1/throughput. */
    static List<Double> ratios(Samples subject, Samples baseline) {
        List<Double> ratios = new ArrayList<>();
        for (Map.Entry<String, Double> e : subject.score.entrySet()) {
            Double b = baseline.score.get(e.getKey());
            if (b == null) {
                continue;
            }
            double cost = subject.higherIsBetter ? 1 / e.getValue() : e.getValue();
            double baseCost = baseline.higherIsBetter ? 1 / b : b;
            ratios.add(cost / baseCost);
        }
        return ratios;
    }

    private static int compareRows(String a, String b) {
        int ia = ORDER.indexOf(a);
        int ib = ORDER.indexOf(b);
        if (ia >= 0 && ib >= 0) {
            return Integer.compare(ia, ib);
        }
        if (ia >= 0 || ib >= 0) {
            return ia >= 0 ? -1 : 1;
        }
        return a.compareTo(b);
    }

    /** One benchmark's samples, keyed by where they were taken (file and fork index). */
    static final class Samples {
        final Map<String, Double> score = new LinkedHashMap<>();
        final Map<String, Double> bytes = new LinkedHashMap<>();
        boolean higherIsBetter;

        void add(JmhResult r) {
            higherIsBetter = r.higherIsBetter();
            for (int fork = 0; fork < r.scores().size(); fork++) {
                String key = r.source() + "#" + fork;
                if (score.containsKey(key)) {
                    throw new IllegalArgumentException(r.source() + " holds " + r.benchmark() + " twice for "
                            + r.threads() + " thread(s)");
                }
                score.put(key, Spread.of(r.scores().get(fork)).median());
                if (fork < r.allocation().size()) {
                    bytes.put(key, Spread.of(r.allocation().get(fork)).median());
                }
            }
        }
    }
}
