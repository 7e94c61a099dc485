package dev.graceful.benchmarks.reaction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.benchmarks.SmokeRun;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Group 3's smoke: {@code bin/run-reaction --smoke} stops the smoke's examples with graceful and with its
 * framework's own graceful stop, with requests in flight and without, and reports both. With
 * graceful every in-flight request must be answered and every exit code must be 0; what the
 * baselines do is a finding for the report, not a failure.
 */
class ReactionSmokeIT {

    @Test
    void runReactionStopsEveryExampleBothWaysAndGracefulAnswersEveryInFlightRequest() throws Exception {
        SmokeRun run = SmokeRun.run("reaction");

        String report = run.file("report.md");
        for (String app : ReactionBench.SMOKE_APPS) {
            String a = Pattern.quote(app);
            assertThat(report)
                    .as("the in-flight row of %s: measured, and 4/4 answered with graceful", app)
                    .containsPattern(Pattern.compile(
                            "^\\| " + a + " \\| [0-9.]+ \\| [^|]+ \\| [^|]+ \\| 4/4 / [^|]+ \\|$", Pattern.MULTILINE));
            assertThat(report)
                    .as("the idle row of %s: measured, exit code 0 with graceful", app)
                    .containsPattern(Pattern.compile(
                            "^\\| " + a + " \\| [0-9.]+ \\| [0-9.]+ \\| [^|]+ \\| 0 / [^|]+ \\|$", Pattern.MULTILINE));
            assertThat(report).contains("- Target, " + app + ": last completion → exit ≤ 50 ms median:");
            // One smoke round is too few for an interval: the verdict says it is the median's alone.
            assertThat(report)
                    .contains("- Target, " + app
                            + ": idle SIGTERM → exit ≤ 1.1× the framework's own stop (median of the rounds' ratios): ")
                    .contains("by the median alone (too few rounds for a 95% interval)");
        }
    }
}
