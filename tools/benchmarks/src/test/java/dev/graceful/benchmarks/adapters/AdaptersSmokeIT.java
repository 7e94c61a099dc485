package dev.graceful.benchmarks.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.benchmarks.SmokeRun;
import org.junit.jupiter.api.Test;

/** The adapter benchmarks' smoke: {@code bin/run-adapters --smoke} runs every path in both variants (Netty's also
 * with a pass-through handler), with the GC profiler. */
class AdaptersSmokeIT {

    @Test
    void runAdaptersMeasuresTimeAndAllocationOfEveryAdapterPathInBothVariants() throws Exception {
        String report = SmokeRun.run("adapters").file("report.md");

        for (String bench : new String[] {"servlet", "tomcatValve", "netty"}) {
            for (String variant : new String[] {"plain", "graceful"}) {
                assertThat(report)
                        .containsPattern("AdapterPaths\\." + bench + " +" + variant + " +avgt .* ns/op")
                        .containsPattern(
                                "AdapterPaths\\." + bench + ":gc\\.alloc\\.rate\\.norm +" + variant + " +avgt .* B/op");
            }
        }
        assertThat(report)
                .as("Netty's third variant: a handler in graceful's place that only passes things on")
                .containsPattern("AdapterPaths\\.netty +passthrough +avgt .* ns/op");
    }
}
