package dev.graceful.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.graceful.benchmarks.SmokeRun;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/run-profile --smoke} records the netty example with graceful under {@code wrk} and
 * reads the recording: CPU samples were taken, and graceful's request path is among them; {@code --charge}
 * charges that recording again alike.
 */
class ProfileSmokeIT {

    private static final Pattern NETTY_ROW = Pattern.compile(
            "^\\| netty \\| [0-9]+ \\| ([0-9]+) \\| ([0-9]+) \\| [0-9.]+ % \\| (.*) \\|$", Pattern.MULTILINE);

    @Test
    void runProfileChargesSomeOfTheNettyExamplesSamplesToGracefulsHandlers() throws Exception {
        if (!SmokeRun.onPath("wrk")) {
            fail("wrk is not on the PATH: install it (apt-get install wrk; .ci/run does) so that this smoke can run");
        }
        SmokeRun run = SmokeRun.run("profile");

        String report = run.file("report.md");
        var row = NETTY_ROW.matcher(report);
        assertThat(row.find()).as("the netty row of:%n%s", report).isTrue();
        assertThat(Long.parseLong(row.group(1)))
                .as("CPU samples in:%n%s", report)
                .isPositive();
        assertThat(Long.parseLong(row.group(2)))
                .as("samples charged to graceful in:%n%s", report)
                .isPositive();
        assertThat(report).contains("every 1ms.");
        assertThat(row.group(3))
                .as("graceful's frames: class, method, samples")
                .matches("[A-Za-z0-9$]+\\.[A-Za-z0-9$<>]+ [0-9]+(; .*)?");

        // The same recording charged on its own (--charge, as for JFR inside JMH): the same rule, the same counts.
        SmokeRun charged = SmokeRun.run(
                "profile", "--", "--charge", run.out().resolve("netty.jfr").toString());
        assertThat(charged.output()).contains("| netty.jfr | " + row.group(1) + " | " + row.group(2) + " | ");
    }
}
