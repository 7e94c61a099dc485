package dev.graceful.examples.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.testkit.ClassLoadLog;
import dev.graceful.testkit.RawHttpConnection;
import java.nio.file.Path;
import java.time.Duration;
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
        ClassLoadLog classes = ClassLoadLog.in(dir);
        try (ExampleProcess example = start(name, classes)) {
            assertStopLoadsNothingOfGraceful(example, classes);
        }
    }

    /**
     * A load balancer keeps its connections open between requests, so a real stop meets idle
     * kept-alive connections: the phases reach them and close them, and that path must be made
     * before the signal too (it once spun a lambda class after it, on Netty).
     */
    @ParameterizedTest
    @ValueSource(strings = {"jetty", "tomcat", "netty", "spring-boot"})
    void anIdleStopWithAKeptAliveConnectionLoadsNoClassOfGracefulAfterTheSignal(String name, @TempDir Path dir)
            throws Exception {
        ClassLoadLog classes = ClassLoadLog.in(dir);
        try (ExampleProcess example = start(name, classes);
                RawHttpConnection keptAlive = RawHttpConnection.open(example.port)) {
            keptAlive.send("GET", "/livez", null);
            RawHttpConnection.Response first = keptAlive.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.connectionClose()).as("kept alive").isFalse();

            assertStopLoadsNothingOfGraceful(example, classes);
            assertThat(keptAlive.awaitClose(AT_MOST)).isEqualTo(RawHttpConnection.Close.EOF);
        }
    }

    private static ExampleProcess start(String name, ClassLoadLog classes) throws Exception {
        return ExampleProcess.start(
                name, "cold-stop", Map.of("JAVA_OPTS", classes.jvmOption() + " " + DEBUG_REHEARSAL));
    }

    private static void assertStopLoadsNothingOfGraceful(ExampleProcess example, ClassLoadLog classes)
            throws Exception {
        example.jvm.output().awaitLine(line -> line.contains("Rehearsed the shutdown sequence in "), AT_MOST);
        classes.mark();
        example.jvm.signal("TERM");
        assertThat(example.jvm.awaitExit(AT_MOST)).isZero();

        assertThat(classes.loadedSinceMark("dev.graceful."))
                .as("classes of graceful loaded after the signal")
                .filteredOn(loaded -> !loaded.startsWith("dev.graceful.examples."))
                .isEmpty();
        assertThat(example.output()).contains("Shutdown started (SIGTERM)", "exit status 0 (CLEAN)");
    }
}
