package dev.graceful.benchmarks.support;

import dev.graceful.benchmarks.apps.Launch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import joptsimple.OptionParser;
import joptsimple.OptionSet;

/**
 * The skeleton every macro group's runner (groups 2-4) shares: the options its {@code bin/run-*}
 * script passes ({@code --repo DIR --jar FILE --java FILE --out DIR [--rounds N] [--apps a,b]
 * [--jvm-opts "..."] [--smoke]}, plus the group's own), the examples' launcher, the samples file
 * ({@code OUT/samples.csv}), and the report table written at the end ({@code OUT/table.md}).
 */
public record BenchRun(OptionSet options, Launch launch, Path out, boolean smoke, int rounds, List<String> apps,
        Samples samples) {

    /** A parser of the common options, plus the group's own whole-number ones (given comma-separated when many). */
    public static OptionParser parser(String... numberOptions) {
        OptionParser p = new OptionParser(false);
        for (String name : List.of("repo", "jar", "java", "out")) {
            p.accepts(name).withRequiredArg().required();
        }
        p.accepts("apps").withRequiredArg().withValuesSeparatedBy(',');
        p.accepts("jvm-opts").withRequiredArg().defaultsTo("");
        p.accepts("smoke");
        p.accepts("rounds").withRequiredArg().ofType(Integer.class);
        for (String name : numberOptions) {
            p.accepts(name).withRequiredArg().ofType(Integer.class).withValuesSeparatedBy(',');
        }
        return p;
    }

    /** Reads the options and creates {@code OUT/logs} and {@code OUT/samples.csv}. */
    public static BenchRun start(OptionSet options, List<String> columns, int defaultRounds, List<String> allowedApps,
            List<String> defaultApps, List<String> smokeApps) throws IOException {
        if (!options.nonOptionArguments().isEmpty()) {
            throw new IllegalArgumentException("expected options only, got " + options.nonOptionArguments());
        }
        boolean smoke = options.has("smoke");
        @SuppressWarnings("unchecked")
        List<String> apps = options.has("apps") ? (List<String>) options.valuesOf("apps") : smoke ? smokeApps : defaultApps;
        if (!allowedApps.containsAll(apps)) {
            throw new IllegalArgumentException("--apps takes some of " + allowedApps + ", was " + apps);
        }
        List<String> jvmOptions = List.of(text(options, "jvm-opts").split(" ")).stream().filter(o -> !o.isBlank()).toList();
        Launch launch = new Launch(Path.of(text(options, "repo")), Path.of(text(options, "jar")), text(options, "java"),
                jvmOptions);
        Path out = Path.of(text(options, "out"));
        Files.createDirectories(out.resolve("logs"));
        int rounds = numbers(options, "rounds", List.of(smoke ? 1 : defaultRounds)).get(0);
        return new BenchRun(options, launch, out, smoke, rounds, apps, Samples.create(out.resolve("samples.csv"), columns));
    }

    private static String text(OptionSet options, String name) {
        return (String) options.valueOf(name);
    }

    /** A group's own text option (declared with its default). */
    public String text(String name) {
        return text(options, name);
    }

    /** A whole-number option, which must be positive, or the default when absent. */
    public int number(String name, int def) {
        return numbers(options, name, List.of(def)).get(0);
    }

    /** A list of positive whole numbers separated by commas, or the default when absent. */
    public List<Integer> numbers(String name, List<Integer> def) {
        return numbers(options, name, def);
    }

    private static List<Integer> numbers(OptionSet options, String name, List<Integer> def) {
        List<Integer> v = options.valuesOf(name).stream().map(Integer.class::cast).toList();
        if (v.stream().anyMatch(n -> n <= 0)) {
            throw new IllegalArgumentException("--" + name + " takes positive whole numbers, was " + v);
        }
        return v.isEmpty() ? def : v;
    }

    /** A new sample's first columns: {@code round}, {@code app}, and the load average now. */
    public static Map<String, Object> row(int round, String app) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", round);
        row.put("app", app);
        row.put("load1", Samples.load1());
        return row;
    }

    /** Appends a measured sample to {@code samples.csv}, and shows it on the console as it goes. */
    public void sample(Map<String, Object> row) throws IOException {
        samples.add(row);
        StringBuilder line = new StringBuilder();
        row.forEach((k, v) -> line.append(line.length() == 0 ? "" : " ").append(k).append('=')
                .append(v instanceof Double d ? String.format(Locale.ROOT, "%.1f", d) : v));
        System.out.println(line);
    }

    /** Nanoseconds in milliseconds, the unit of every time in the samples. */
    public static double ms(long nanos) {
        return nanos / 1e6;
    }

    /**
     * The two variants in the order round {@code round} runs them: alternating which goes first,
     * so that neither always runs right after the other.
     */
    public static List<String> inTurn(int round, List<String> variants) {
        return round % 2 == 1 ? variants : List.of(variants.get(1), variants.get(0));
    }

    /** Writes {@code OUT/table.md}, the group's report, from every sample taken. */
    public void finish(Function<List<Map<String, String>>, String> render) throws IOException {
        Files.writeString(out.resolve("table.md"), render.apply(Samples.read(out.resolve("samples.csv"))));
    }
}
