package dev.graceful.benchmarks.support;

import dev.graceful.benchmarks.apps.ServerApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import joptsimple.OptionParser;
import joptsimple.OptionSet;

/**
 * The skeleton the macro groups' runners (2-4) share: the common options of their {@code bin/run-*}
 * scripts, each example's command per variant, {@code OUT/samples.csv} and {@code OUT/table.md}.
 */
public record BenchRun(OptionSet options, Path out, boolean smoke, int rounds, List<String> apps, Samples samples) {

    public static final List<String> APPS = List.of("jetty", "tomcat", "netty", "spring-boot");
    /** The Spring Boot examples: each runs its own jar, without graceful as {@code -Dgraceful.enabled=false}. */
    public static final List<String> SPRING_APPS = List.of("spring-boot", "spring-webflux");
    /** What group 2 and its profile can load: {@link #APPS}, and WebFlux (on Reactor Netty) when asked for. */
    public static final List<String> LOADED_APPS =
            Stream.concat(APPS.stream(), Stream.of("spring-webflux")).toList();

    /** A parser of the common options, plus the group's own whole-number ones (comma-separated when many). */
    public static OptionParser parser(String... numberOptions) {
        OptionParser p = new OptionParser(false);
        List.of("repo", "jar", "java", "out")
                .forEach(name -> p.accepts(name).withRequiredArg().required());
        p.accepts("apps").withRequiredArg().withValuesSeparatedBy(',');
        p.accepts("jvm-opts").withRequiredArg().defaultsTo("");
        p.accepts("smoke");
        for (String name : numberOptions) {
            p.accepts(name).withRequiredArg().ofType(Integer.class).withValuesSeparatedBy(',');
        }
        p.accepts("rounds").withRequiredArg().ofType(Integer.class);
        return p;
    }

    /** Reads the options, starts {@code OUT/logs} and the samples; in smoke mode 1 round and {@code smokeApps}. */
    public static BenchRun start(
            OptionSet options,
            List<String> columns,
            int defaultRounds,
            List<String> allowedApps,
            List<String> defaultApps,
            List<String> smokeApps)
            throws IOException {
        if (!options.nonOptionArguments().isEmpty()) {
            throw new IllegalArgumentException("expected options only, got " + options.nonOptionArguments());
        }
        boolean smoke = options.has("smoke");
        List<String> apps =
                options.valuesOf("apps").stream().map(String.class::cast).toList();
        if (apps.isEmpty()) {
            apps = smoke ? smokeApps : defaultApps;
        }
        if (!allowedApps.containsAll(apps)) {
            throw new IllegalArgumentException("--apps takes some of " + allowedApps + ", was " + apps);
        }
        Path out = Path.of((String) options.valueOf("out"));
        Files.createDirectories(out.resolve("logs"));
        int rounds =
                numbers(options, "rounds", List.of(smoke ? 1 : defaultRounds)).get(0);
        return new BenchRun(options, out, smoke, rounds, apps, Samples.create(out.resolve("samples.csv"), columns));
    }

    /** A whole-number option's values, which must be positive, or the default. */
    public static List<Integer> numbers(OptionSet options, String name, List<Integer> def) {
        List<Integer> v =
                options.valuesOf(name).stream().map(Integer.class::cast).toList();
        if (v.stream().anyMatch(n -> n <= 0)) {
            throw new IllegalArgumentException("--" + name + " takes positive whole numbers, was " + v);
        }
        return v.isEmpty() ? def : v;
    }

    public Path log(String name) {
        return out.resolve("logs").resolve(name);
    }

    public String text(String name) {
        return (String) options.valueOf(name);
    }

    /** A group's own whole-number option, which must be positive, or the default. */
    public int number(String name, int def) {
        return numbers(options, name, List.of(def)).get(0);
    }

    /**
     * An example's command in a variant ({@code docs/BENCHMARKS.md}); {@link ServerApp} unless {@code exampleJar},
     * so both sides share one class path. Spring Boot always runs its own jar, the starter off but for graceful.
     */
    public List<String> command(String app, String variant, boolean exampleJar, String drainTimeout) {
        return command(app, variant, exampleJar, drainTimeout, "0s");
    }

    /** {@link #command(String, String, boolean, String)} with a readiness delay ({@code 2s}, {@code 1500ms}). */
    public List<String> command(
            String app, String variant, boolean exampleJar, String drainTimeout, String readinessDelay) {
        List<String> c = new ArrayList<>(List.of(text("java")));
        List.of(text("jvm-opts").split(" ")).stream().filter(o -> !o.isBlank()).forEach(c::add);
        Path jar = Path.of(text("repo"), "examples", app, "target", "graceful-example-" + app + ".jar");
        boolean graceful = variant.equals("graceful");
        if (variant.equals("one-process") && app.equals("spring-webflux")) {
            throw new IllegalArgumentException("one process: not for " + app + " (only spring-boot has a second"
                    + " port built in: tools/benchmarks-spring-boot)");
        }
        if (app.equals("spring-boot") && variant.startsWith("one-process")) {
            if (!variant.equals("one-process") && !variant.equals("one-process-swapped")) {
                throw new IllegalArgumentException("one process: spring-boot serves one-process and"
                        + " one-process-swapped only (no experiment valve); was " + variant);
            }
            // The example's jar with one more jar on its class path: Spring Boot's PropertiesLauncher
            // reads loader.path (docs/BENCHMARKS.md, group 2's method).
            Path oneProcess = Path.of(
                    text("repo"), "tools", "benchmarks-spring-boot", "target", "graceful-benchmarks-spring-boot.jar");
            c.addAll(List.of("-Dbench.one-process=true", "-Dloader.path=" + oneProcess));
            if (variant.endsWith("-swapped")) {
                c.add("-Dbench.one-process-swapped=true");
            }
            c.addAll(List.of("-cp", jar.toString(), "org.springframework.boot.loader.launch.PropertiesLauncher"));
        } else if (SPRING_APPS.contains(app)) {
            if (!graceful) {
                c.add("-Dgraceful.enabled=false");
            }
            if (variant.equals("framework")) {
                c.add("-Dserver.shutdown=graceful");
            }
            c.addAll(List.of("-jar", jar.toString()));
        } else if (graceful && exampleJar) {
            c.addAll(List.of("-jar", jar.toString()));
        } else {
            c.addAll(List.of("-cp", text("jar"), ServerApp.class.getName(), app, variant));
        }
        c.addAll(List.of("--port", Child.PORT, "--version", "bench"));
        c.addAll(List.of("--drain-timeout", drainTimeout, "--readiness-delay", readinessDelay));
        return c;
    }

    /** The {@code jcmd} next to {@code --java} (plain {@code jcmd}, from the PATH, when java has no directory). */
    public String jcmd() {
        return Path.of(text("java")).resolveSibling("jcmd").toString();
    }

    /** A new sample's first columns: {@code round}, {@code app}, and the load average now. */
    public static Map<String, Object> row(int round, String app) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("round", round);
        row.put("app", app);
        row.put("load1", Samples.load(1));
        return row;
    }

    /** Runs a command to its end, and returns its output (stderr merged); fails unless it exits 0. */
    public static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    /** Appends a sample, and shows it on the console. */
    public void sample(Map<String, Object> row) throws IOException {
        samples.add(row);
        StringBuilder line = new StringBuilder();
        row.forEach((k, v) -> line.append(
                v == null ? "" : " " + k + "=" + (v instanceof Double d ? String.format(Locale.ROOT, "%.1f", d) : v)));
        System.out.println(line.toString().trim());
    }

    /** The variants in round {@code round}'s order: alternating, so neither always runs right after the other. */
    public static List<String> inTurn(int round, List<String> variants) {
        return round % 2 == 1 ? variants : List.of(variants.get(1), variants.get(0));
    }

    /** Milliseconds: the unit of every time in the samples. */
    public static double ms(long nanos) {
        return nanos / 1e6;
    }

    public void finish(Function<List<Map<String, String>>, String> render) throws IOException {
        Files.writeString(out.resolve("table.md"), render.apply(samples.rows()));
    }
}
