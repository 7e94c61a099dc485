package dev.graceful.benchmarks.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.benchmarks.SmokeRun;
import org.junit.jupiter.api.Test;

/** Group 5's smoke: {@code bin/run-grpc --smoke} runs both benchmarks and reports them. */
class GrpcSmokeIT {

    @Test
    void runGrpcMeasuresTheInterceptorAndTheExamplesThroughputWithAndWithoutGraceful() throws Exception {
        SmokeRun run = SmokeRun.run("grpc");

        String report = run.file("report.md");
        assertThat(report)
                .contains("InterceptorBench.graceful:gc.alloc.rate.norm")
                .contains("InterceptorBench.plain ")
                .containsPattern("\\| 1 \\| plain \\| [0-9]+ \\|")
                .containsPattern("\\| 1 \\| graceful \\| [0-9]+ \\|");
    }
}
