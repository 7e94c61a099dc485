package dev.graceful.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The group 2 runs kept in {@code tools/benchmarks/samples}: each one a run that {@code --decide} can report again. */
class CommittedSamplesTest {

    private static final Path SAMPLES = Path.of("samples");

    private static List<Path> runs() throws IOException {
        try (Stream<Path> entries = Files.list(SAMPLES)) {
            return entries.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void everyKeptRunIsReadAsGroupTwoWroteItWithBothSidesInEveryFork() throws IOException {
        assertThat(runs()).isNotEmpty();
        for (Path run : runs()) {
            Path csv = run.resolve("samples.csv");
            // A run made before a column was added lacks it, and is read without it.
            assertThat(List.of(Files.readAllLines(csv, StandardCharsets.UTF_8)
                            .get(0)
                            .split(",")))
                    .as(csv + ": group 2's columns")
                    .containsAll(List.of("round", "fork", "app", "variant", "rps", "cpu_us", "requests", "errors"))
                    .isSubsetOf(OverheadBench.COLUMNS);
            List<Map<String, String>> rows = Samples.read(csv);
            for (String fork : Rows.distinct(rows, "fork")) {
                assertThat(Rows.select(rows, "fork", fork).stream()
                                .map(r -> r.get("variant"))
                                .distinct()
                                .sorted())
                        .as(csv + ", fork " + fork)
                        .containsExactlyElementsOf(OverheadBench.VARIANTS);
            }
            assertThat(Files.readString(run.resolve("header.md"), StandardCharsets.UTF_8))
                    .as(run + "/header.md: the machine and the command")
                    .contains(
                            "- CPU: ",
                            "- JVM: ",
                            "- load average at start",
                            "- command: tools/benchmarks/bin/run-overhead");
            assertThat(OverheadReport.render(rows, new OverheadBench.Slices(3, 10, 32)))
                    .as(csv + ", decided again")
                    .contains("over forks");
        }
    }

    @Test
    void everyKeptRunIsListedInTheReadmeAndEveryListedRunIsKept() throws IOException {
        String readme = Files.readString(SAMPLES.resolve("README.md"), StandardCharsets.UTF_8);
        List<String> listed = readme.lines()
                .filter(l -> l.startsWith("| ["))
                .map(l -> l.substring(3, l.indexOf(']')))
                .toList();

        assertThat(listed)
                .containsExactlyElementsOf(
                        runs().stream().map(p -> p.getFileName().toString()).toList());
    }
}
