package dev.graceful.benchmarks.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.benchmarks.SmokeRun;
import org.junit.jupiter.api.Test;

/**
 * Group 4's smoke: {@code bin/run-scale --smoke} holds 50 requests on the netty example, sends
 * SIGTERM, and every one of them must be answered 200, with the memory figures measured; the same
 * server without graceful, the baseline, holds and answers them too, and the report compares the two.
 */
class ScaleSmokeIT {

    @Test
    void runScaleDrainsEveryHeldRequestAndMeasuresMemory() throws Exception {
        SmokeRun run = SmokeRun.run("scale");

        String report = run.file("report.md");
        assertThat(report)
                .as("the report")
                .containsPattern(
                        "(?m)^\\| netty \\| 50 \\| 50/50 \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| -?[0-9.]+ \\| -?[0-9.]+ \\| -?[0-9.]+ \\| [0-9.]+ \\|$")
                .containsPattern(
                        "(?m)^\\| netty without graceful \\| 50 \\| 50/50 \\| [0-9.]+ \\| [0-9.]+ \\| n/a \\| n/a \\| -?[0-9.]+ \\| -?[0-9.]+ \\| -?[0-9.]+ \\| [0-9.]+ \\|$")
                .containsPattern(
                        "(?m)^- netty, N=50, with graceful ÷ without \\(paired by round\\): time to answer all [0-9.]+[^,]*, live heap held \\S.*$")
                .contains("- Requests not answered 200, all samples: 0\n");
        assertThat(run.file("samples.csv"))
                .as("the sample: exit code 0")
                .containsPattern("(?m)^1,netty,50,50,,.*,0,[0-9]+,[0-9]+,");
    }
}
