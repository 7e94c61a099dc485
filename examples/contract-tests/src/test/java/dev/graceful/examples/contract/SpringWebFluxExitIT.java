package dev.graceful.examples.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The WebFlux example ends as soon as graceful is done, as every other example does. Reactor
 * Netty's event loops wait out a quiet period (2 s by default) before they stop, and Spring's
 * shutdown hook waits for them: every exit after the drain came 2 s late, until the starter set
 * {@code spring.reactor.netty.shutdown-quiet-period} to zero. After a second signal, Boot's stop of
 * the server also waited up to 3 s for the abandoned request's connection, until the starter closed
 * what the drain left. Each bound is under those 2 s, yet generous for a loaded machine (measured
 * with a load average of 20 on two cores: 232 ms and 1,678 ms).
 */
class SpringWebFluxExitIT {

    private static final String NAME = "spring-webflux";
    private static final Duration AT_MOST = Duration.ofSeconds(30);
    private static final Duration BOUND = Duration.ofSeconds(2);

    @Test
    void afterADrainThatTimesOutTheProcessExitsRightAfterTheSummary() throws Exception {
        try (ExampleProcess example =
                ExampleContractIT.termWithOneRequestHeld(NAME, "exit-after-timeout", "--drain-timeout", "500ms")) {
            assertThat(example.jvm.awaitExit(AT_MOST)).isEqualTo(3);
            long summaryAt = example.jvm
                    .output()
                    .firstLine(line -> line.contains("Shutdown complete"))
                    .orElseThrow(() -> new AssertionError("no summary line:\n" + example.output()))
                    .nanos();
            Duration gap = Duration.ofNanos(example.jvm.exitedAtNanos() - summaryAt);
            record("drain timeout, summary line to process exit " + gap.toMillis() + " ms");
            assertThat(gap).as("summary line to exit").isLessThan(BOUND);
        }
    }

    @Test
    void aSecondSignalEndsTheProcessAtOnceWhileARequestIsInFlight() throws Exception {
        try (ExampleProcess example =
                ExampleContractIT.termWithOneRequestHeld(NAME, "exit-after-second", "--readiness-delay", "10s")) {
            await().atMost(AT_MOST)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> Http.statusOrZero(example.port, "GET", "/healthz") == 503);
            long second = example.jvm.signal("INT");
            assertThat(example.jvm.awaitExit(AT_MOST)).isEqualTo(130);
            Duration gap = Duration.ofNanos(example.jvm.exitedAtNanos() - second);
            record("second signal to process exit " + gap.toMillis() + " ms");
            assertThat(gap).as("second signal to exit").isLessThan(BOUND);
        }
    }

    private static void record(String what) throws IOException {
        String line = NAME + ": " + what;
        System.out.println("[contract] " + line);
        Files.writeString(
                ExampleProcess.LOGS.resolve("timings.txt"),
                line + "\n",
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
