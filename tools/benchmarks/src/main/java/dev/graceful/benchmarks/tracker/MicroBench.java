package dev.graceful.benchmarks.tracker;

import dev.graceful.benchmarks.support.Samples;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Group 1's runner: every benchmark of this package, in rounds, each round one JMH run in this
 * process (its forks, if any, are fresh JVMs) with the GC profiler, failing on the first benchmark
 * error. Writes {@code OUT/round-N.log} (JMH's output), {@code OUT/round-N.json} (JMH's results),
 * {@code OUT/load.txt} (the load average around each round) and {@code OUT/table.md}
 * ({@link MicroReport}, from the results JMH returned).
 *
 * <p>Usage: {@code MicroBench --out DIR --rounds N -- JMH-OPTIONS}, as {@code bin/run-micro} calls it.
 */
public final class MicroBench {

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

        Path load = out.resolve("load.txt");
        Files.writeString(load, "");
        List<MicroReport.Fork> forks = new ArrayList<>();
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
                forks.addAll(MicroReport.forks(
                        "round-" + r,
                        new Runner(
                                        run,
                                        OutputFormatFactory.createFormatInstance(
                                                jmhOut, jmh.verbosity().orElse(VerboseMode.NORMAL)))
                                .run()));
            } catch (RunnerException e) {
                List<String> lines = Files.readAllLines(log);
                System.err.println("JMH failed in round " + r + " (" + e.getMessage() + "); the end of " + log + ":");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.err::println);
                System.exit(1);
            }
            Files.writeString(load, "round " + r + " end: " + Samples.load(3) + "\n", StandardOpenOption.APPEND);
        }
        Files.writeString(out.resolve("table.md"), MicroReport.render(forks));
    }
}
