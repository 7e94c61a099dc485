package dev.graceful.examples.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A process stops once, so whatever of graceful first runs at its stop runs cold: its classes and
 * lambdas are loaded and linked between the signal and the exit. The adapters make what they run
 * at shutdown when they are built, and core rehearses its sequence at ready, so an idle stop loads
 * no class of graceful after the signal (docs/architecture.md, "A rehearsal of the shutdown"; the
 * time it saves: docs/BENCHMARKS.md, group 3).
 */
class ExampleColdStopIT {

    private static final Duration AT_MOST = Duration.ofSeconds(30);
    /** The rehearsal's DEBUG line, under slf4j-simple (Jetty, Tomcat, Netty) and under Spring Boot. */
    private static final String DEBUG_REHEARSAL = "-Dorg.slf4j.simpleLogger.log.dev.graceful.GracefulShutdown=debug"
            + " -Dlogging.level.dev.graceful.GracefulShutdown=debug";

    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat", "netty", "spring-boot"})
    void anIdleStopLoadsNoClassOfGracefulAfterTheSignal(String name, @TempDir Path dir) throws Exception {
        Path classLog = dir.resolve("classes.log");
        try (ExampleProcess example = ExampleProcess.start(
                name,
                "cold-stop",
                Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog + " " + DEBUG_REHEARSAL))) {
            example.jvm.output().awaitLine(line -> line.contains("Rehearsed the shutdown sequence in "), AT_MOST);
            // The JVM writes each line of its log whole and at once.
            int before = Files.readAllLines(classLog).size();

            example.jvm.signal("TERM");
            assertThat(example.jvm.awaitExit(AT_MOST)).isZero();

            List<String> after = Files.readAllLines(classLog);
            assertThat(after.subList(before, after.size()))
                    .as("classes of graceful loaded after the signal")
                    .filteredOn(line -> line.contains(" dev.graceful.") && !line.contains(" dev.graceful.examples."))
                    .isEmpty();
            assertThat(example.output()).contains("Shutdown started (SIGTERM)", "exit status 0 (CLEAN)");
        }
    }
}
