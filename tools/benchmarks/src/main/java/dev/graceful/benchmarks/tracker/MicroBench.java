package dev.graceful.benchmarks.tracker;

import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Group 1's runner, as {@code bin/run-micro} calls it ({@code MicroBench --out DIR --rounds N -- JMH-OPTIONS}; its
 * header: output): each round one JMH run in this process with the GC profiler, failing on the first error; method
 * and report: {@code docs/BENCHMARKS.md}.
 */
public final class MicroBench {

    /** The baseline graceful's target is stated against. */
    static final String LONG_ADDER = "longAdderPair";

    static final String ATOMIC_LONG = "atomicLongPair";
    /** graceful's hot path, the subject of the targets. */
    static final String SUBJECT = "gracefulEnterExit";
    /** Target: the hot path costs at most this many LongAdder pairs. */
    static final double TARGET_RATIO = 1.2;
    /** Target: no allocation; below a byte per operation is JMH's own bookkeeping, not an object (16 bytes). */
    static final double ZERO_BYTES = 1.0;
    /** Rows in this order first (subjects, then baselines); anything else after, by name. */
    private static final List<String> ORDER = List.of(
            SUBJECT, "gracefulEnterExitWhileDraining", "gracefulBeginClose", "casLoopOneWord", ATOMIC_LONG, LONG_ADDER);

    private static final Comparator<String> ROWS = Comparator.<String>comparingInt(
                    m -> ORDER.contains(m) ? ORDER.indexOf(m) : ORDER.size())
            .thenComparing(Comparator.naturalOrder());

    private MicroBench() {}

    public static void main(String[] args) throws Exception {
        OptionParser parser = new OptionParser(false);
        OptionSpec<String> outOption = parser.accepts("out").withRequiredArg().required();
        OptionSpec<Integer> roundsOption =
                parser.accepts("rounds").withRequiredArg().ofType(Integer.class).defaultsTo(1);
        OptionSet options = parser.parse(args);
        Path out = Path.of(options.valueOf(outOption));
        int rounds = options.valueOf(roundsOption);
        CommandLineOptions jmh = new CommandLineOptions(
                options.nonOptionArguments().stream().map(String::valueOf).toArray(String[]::new));

        Path load = Files.writeString(out.resolve("load.txt"), "");
        List<Fork> forks = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            Path json = out.resolve("round-" + r + ".json");
            Path log = out.resolve("round-" + r + ".log");
            System.out.println("round " + r + "/" + rounds + " (load " + Samples.load(3) + ") -> " + json);
            Files.writeString(load, "round " + r + " start: " + Samples.load(3) + "\n", StandardOpenOption.APPEND);
            Options run = new OptionsBuilder()
                    .parent(jmh)
                    .include("dev\\.graceful\\.benchmarks\\.tracker\\.")
                    .shouldFailOnError(true)
                    .addProfiler(GCProfiler.class)
                    .resultFormat(ResultFormatType.JSON)
                    .result(json.toString())
                    .build();
            try (PrintStream jmhOut = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
                var format = OutputFormatFactory.createFormatInstance(
                        jmhOut, jmh.verbosity().orElse(VerboseMode.NORMAL));
                forks.addAll(forks("round-" + r, new Runner(run, format).run()));
            } catch (RunnerException e) {
                List<String> lines = Files.readAllLines(log);
                System.err.println("JMH failed in round " + r + " (" + e.getMessage() + "); the end of " + log + ":");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.err::println);
                System.exit(1);
            }
            Files.writeString(load, "round " + r + " end: " + Samples.load(3) + "\n", StandardOpenOption.APPEND);
        }
        Files.writeString(out.resolve("table.md"), render(forks));
    }

    /** One fork of one benchmark; samples with the same {@code pairing} (run and fork) are paired. */
    record Fork(
            String pairing,
            String method,
            int threads,
            boolean higherIsBetter,
            String unit,
            String jvm,
            String settings,
            double score,
            double bytes) {

        double cost() {
            return higherIsBetter ? 1 / score : score;
        }
    }

    /** The forks of one JMH run; {@code run} names it, for pairing. */
    static List<Fork> forks(String run, Collection<RunResult> results) {
        List<Fork> forks = new ArrayList<>();
        for (RunResult result : results) {
            BenchmarkParams p = result.getParams();
            String method = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1); // no @Param in use
            String jvm = "Java " + p.getJdkVersion() + " (" + p.getVmName() + " " + p.getVmVersion() + ")";
            String settings = p.getWarmup().getCount() + " x " + p.getWarmup().getTime() + " warm-up, "
                    + p.getMeasurement().getCount() + " x " + p.getMeasurement().getTime() + " measured";
            int fork = 0;
            for (BenchmarkResult b : result.getBenchmarkResults()) {
                List<Double> scores = new ArrayList<>();
                List<Double> bytes = new ArrayList<>();
                for (IterationResult i : b.getIterationResults()) {
                    scores.add(i.getPrimaryResult().getScore());
                    Result alloc = i.getSecondaryResults().get("gc.alloc.rate.norm");
                    bytes.add(alloc == null ? Double.NaN : alloc.getScore());
                }
                forks.add(new Fork(
                        run + "#" + fork++,
                        method,
                        p.getThreads(),
                        p.getMode() == Mode.Throughput,
                        b.getScoreUnit(),
                        jvm,
                        settings,
                        Rows.median(Rows.stats(scores)),
                        Rows.median(Rows.stats(bytes))));
            }
        }
        return forks;
    }

    /** The Markdown report, one section per JVM; refuses an empty input. */
    static String render(List<Fork> forks) {
        if (forks.isEmpty()) {
            throw new IllegalArgumentException("no benchmark results in the input");
        }
        StringBuilder sb = new StringBuilder();
        forks.stream()
                .collect(Collectors.groupingBy(Fork::jvm, LinkedHashMap::new, Collectors.toList()))
                .forEach((jvm, ofJvm) -> section(sb, jvm, ofJvm));
        return sb.toString();
    }

    private static void section(StringBuilder sb, String jvm, List<Fork> forks) {
        // threads -> method -> its samples by pairing key
        Map<Integer, Map<String, Map<String, Fork>>> table = new TreeMap<>();
        Set<String> units = new LinkedHashSet<>();
        Set<String> settings = new LinkedHashSet<>();
        for (Fork f : forks) {
            units.add(f.unit());
            settings.add(f.settings());
            Map<String, Fork> samples = table.computeIfAbsent(f.threads(), k -> new TreeMap<>(ROWS))
                    .computeIfAbsent(f.method(), k -> new LinkedHashMap<>());
            if (samples.put(f.pairing(), f) != null) {
                throw new IllegalArgumentException(
                        f.pairing() + " holds " + f.method() + " twice for " + f.threads() + " thread(s)");
            }
        }
        int samples = table.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToInt(Map::size)
                .min()
                .orElse(0);
        sb.append("### " + jvm + "\n\nPer fork: " + String.join("; ", settings) + " iterations; a sample is the median")
                .append(" of a fork's measured iterations. At least " + samples + " sample(s) per benchmark. Ratios:")
                .append(" the row's cost divided by the baseline's cost in the same run (same file, same fork index);")
                .append(" median [min–max] over those pairs; above 1 is slower.\n\n")
                .append("| threads | benchmark | " + String.join(", ", units))
                .append(" | × LongAdder pair | × AtomicLong pair | B/op |\n");
        sb.append("|---:|---|---:|---:|---:|---:|\n");
        table.forEach((threads, rows) -> rows.forEach((method, s) -> sb.append(Rows.line(
                threads,
                method,
                Rows.format(figure(s, Fork::score)),
                ratioCell(method, LONG_ADDER, s, rows.get(LONG_ADDER)),
                ratioCell(method, ATOMIC_LONG, s, rows.get(ATOMIC_LONG)),
                Rows.format(figure(s, Fork::bytes))))));
        sb.append('\n');
        table.forEach((threads, rows) -> target(sb, threads, rows.get(SUBJECT), rows.get(LONG_ADDER)));
        sb.append('\n');
    }

    private static void target(StringBuilder sb, int threads, Map<String, Fork> subject, Map<String, Fork> adder) {
        if (subject == null || adder == null) {
            return;
        }
        DescriptiveStatistics ratio = ratios(subject, adder);
        DescriptiveStatistics bytes = figure(subject, Fork::bytes);
        sb.append(String.format(
                Locale.ROOT,
                "- Target on %s: %s ≤ %.1f× the LongAdder pair: %s (median %.2f×; fastest samples %.2f×);",
                threads + (threads == 1 ? " thread" : " threads"),
                SUBJECT,
                TARGET_RATIO,
                Rows.verdict(ratio, m -> m <= TARGET_RATIO),
                Rows.median(ratio),
                fastest(subject) / fastest(adder)));
        sb.append(
                bytes.getN() == 0
                        ? " allocation: not measured (run with -prof gc)\n"
                        : String.format(
                                Locale.ROOT,
                                " 0 B/op: %s (at most %s B/op)\n",
                                bytes.getMax() < ZERO_BYTES ? "**met**" : "**NOT met**",
                                Rows.number(bytes.getMax())));
    }

    private static DescriptiveStatistics figure(Map<String, Fork> samples, ToDoubleFunction<Fork> f) {
        return Rows.stats(samples.values().stream().map(f::applyAsDouble).toList());
    }

    /** The least disturbed sample's cost (load only adds time); printed next to the median, never instead. */
    private static double fastest(Map<String, Fork> samples) {
        return figure(samples, Fork::cost).getMin();
    }

    private static String ratioCell(String method, String baseline, Map<String, Fork> subject, Map<String, Fork> base) {
        return method.equals(baseline) ? "(baseline)" : base == null ? "n/a" : Rows.formatRatio(ratios(subject, base));
    }

    /** Cost ratios of the pairs of samples taken in the same run; cost is time, or 1/throughput. */
    private static DescriptiveStatistics ratios(Map<String, Fork> subject, Map<String, Fork> baseline) {
        return Rows.stats(subject.entrySet().stream()
                .filter(e -> baseline.containsKey(e.getKey()))
                .map(e -> e.getValue().cost() / baseline.get(e.getKey()).cost())
                .toList());
    }
}
