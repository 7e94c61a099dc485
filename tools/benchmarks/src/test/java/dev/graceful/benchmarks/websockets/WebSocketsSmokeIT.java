package dev.graceful.benchmarks.websockets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.benchmarks.SmokeRun;
import org.junit.jupiter.api.Test;

/**
 * Group 6's smoke: {@code bin/run-websockets --smoke} opens 200 WebSockets to the netty example with graceful and
 * to the same server without it, measures the memory of both, and sends SIGTERM. With graceful every connection
 * must echo, get Close 1001 and answer it, and the process must exit 0; what the baseline does on SIGTERM is a
 * finding for the report, not a failure.
 */
class WebSocketsSmokeIT {

    private static final String NUMBER = "-?[0-9.]+";

    @Test
    void runWebSocketsMeasuresMemoryBothWaysAndGracefulClosesEveryConnectionWith1001() throws Exception {
        SmokeRun run = SmokeRun.run("websockets");

        String report = run.file("report.md");
        assertThat(report)
                .as("the memory row: every connection open on both servers, every figure measured")
                .containsPattern("(?m)^\\| netty \\| 200 \\| 200/200 / 200/200 \\| " + NUMBER + " \\| " + NUMBER
                        + " \\| [0-9.]+ \\| " + NUMBER + " \\| " + NUMBER + " \\|$")
                .as("the SIGTERM row with graceful: all echoed, all closed with 1001 and answered, exit code 0")
                .containsPattern("(?m)^\\| netty \\| graceful \\| 200/200 \\| 200/200 \\| 1001:200 \\| [0-9.]+"
                        + " \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| 0 \\|$")
                .as("the SIGTERM row without graceful: all echoed")
                .containsPattern("(?m)^\\| netty \\| without graceful \\| 200/200 \\| [0-9]+/200 \\| ")
                .contains("- Target, netty: live heap per connection with graceful ≤ 1.05× without:")
                .contains("- Target, netty: every connection closed with 1001, exit code 0, exit ≤ 2000 ms after the"
                        + " delay's end:");
        assertThat(run.file("samples.csv"))
                .as("the graceful sample: the readiness delay's end found in the server's log")
                .containsPattern("(?m)^1,netty,graceful,200,200,,.*,log,");
    }
}
