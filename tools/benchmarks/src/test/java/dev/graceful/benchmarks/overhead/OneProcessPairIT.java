package dev.graceful.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graceful.benchmarks.apps.ServerApp;
import dev.graceful.benchmarks.support.Child;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The proof {@code --one-process} gives before it measures fails when the "plain" side is counted by
 * graceful (here: the graceful example itself, standing on both sides); that it passes for the real
 * pairs is {@code OverheadSmokeIT}'s one-process run.
 */
class OneProcessPairIT {

    @Test
    void aPlainSideThatGracefulCountsIsRefusedBeforeAnythingIsMeasured() throws Exception {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ServerApp.class.getName(),
                "netty",
                "graceful",
                "--port",
                Child.PORT,
                "--version",
                "test");
        try (Child graceful = Child.start(List.of(), command, Path.of("target", "one-process-pair-it.log"))) {
            assertThatThrownBy(() -> OneProcessPair.prove("netty", graceful, graceful))
                    .isInstanceOf(IllegalStateException.class)
                    // The first polls may come before the request arrives.
                    .hasMessageMatching("(?s).* and \\[(0, )?1\\] while one was held on the plain port.*");
        }
    }
}
