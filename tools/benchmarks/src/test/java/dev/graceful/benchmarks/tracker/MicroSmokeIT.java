package dev.graceful.benchmarks.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.benchmarks.SmokeRun;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Group 1's smoke: {@code bin/run-micro --smoke} runs every tracker benchmark and reports it. */
class MicroSmokeIT {

    private static final List<String> BENCHMARKS = List.of(
            "gracefulEnterExit",
            "gracefulEnterExitWhileDraining",
            "gracefulBeginClose",
            "casLoopOneWord",
            "atomicLongPair",
            "longAdderPair");

    /** A table row: threads, benchmark, a measured time, and the two ratio cells. */
    private static final Pattern ROW = Pattern.compile(
            "^\\| ([12]) \\| (\\w+) \\| [0-9.]+ \\| ([0-9.]+|\\(baseline\\)) \\| ([0-9.]+|\\(baseline\\)) \\| [0-9.]+ \\|$",
            Pattern.MULTILINE);

    @Test
    void runMicroMeasuresEveryTrackerBenchmarkOnOneAndTwoThreadsAndReportsRatios() throws Exception {
        SmokeRun run = SmokeRun.run("micro");

        String report = run.file("report.md");
        Set<String> rows = new HashSet<>();
        Matcher m = ROW.matcher(report);
        while (m.find()) {
            rows.add(m.group(1) + " " + m.group(2));
        }
        for (String threads : List.of("1", "2")) {
            for (String b : BENCHMARKS) {
                assertThat(rows).as("report rows, in:%n%s", report).contains(threads + " " + b);
            }
        }
        assertThat(report)
                .contains("Target on 1 thread: gracefulEnterExit")
                .contains("Target on 2 threads: gracefulEnterExit");
        assertThat(run.file("round-1.json")).contains("\"gc.alloc.rate.norm\"");
    }
}
