package dev.graceful.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.testkit.ClassLoadLog;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real child JVMs receiving real signals. */
class SignalHandlingIT {

    private static void awaitInFlight(ChildAppProcess child, int n) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> child.healthBody("/livez").contains("\"inFlight\":" + n));
    }

    /** Sends SIGTERM and returns the exit status, waiting up to 15 s for the exit. */
    private static int terminate(ChildAppProcess child) throws Exception {
        child.jvm.signal("TERM");
        return child.jvm.awaitExit(Duration.ofSeconds(15));
    }

    private static void signalAndAwaitNotReady(ChildAppProcess child, String signal) throws Exception {
        child.jvm.signal(signal);
        await().atMost(Duration.ofSeconds(5)).until(() -> child.health("/healthz") == 503);
    }

    @Test
    void sigtermFailsReadinessAtOnceFinishesInFlightWorkAndExitsZero() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--drain-timeout", "20s")) {
            assertThat(child.awaitLine("TRAPPED ")).contains("TERM", "INT");
            assertThat(child.health("/healthz")).isEqualTo(200);
            CompletableFuture<HttpResponse<String>> held = child.hold("a");
            awaitInFlight(child, 1);

            long signalled = System.nanoTime();
            child.jvm.signal("TERM");
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> child.health("/healthz") == 503);
            long readinessFailedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            System.out.printf("[measure] SIGTERM -> /healthz 503: %d ms%n", readinessFailedMs);

            assertThat(child.health("/livez"))
                    .as("liveness stays up while draining")
                    .isEqualTo(200);
            assertThat(child.jvm.isAlive()).isTrue();
            assertThat(held).isNotDone();

            child.awaitDraining();
            child.release("a");
            HttpResponse<String> response = held.get(10, TimeUnit.SECONDS);
            long lastCompletion = System.nanoTime();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("released a");

            assertThat(child.jvm.awaitExit(Duration.ofSeconds(10))).isZero();
            long exitMs = TimeUnit.NANOSECONDS.toMillis(child.jvm.exitedAtNanos() - lastCompletion);
            System.out.printf("[measure] last in-flight completion -> process exit: %d ms%n", exitMs);
            assertThat(exitMs).as("exit follows the last completion promptly").isLessThan(3000);
            assertThat(child.output())
                    .contains(
                            "Shutdown started (SIGTERM)",
                            "TASK after ran",
                            "drained 1, abandoned 0",
                            "exit status 0 (CLEAN)");
        }
    }

    /**
     * The shutdown runs once per process; what it runs for the first time after the signal (a
     * lambda linked, a class loaded) costs its exit time. The rehearsal at ready takes that cost
     * before any signal: no class of graceful is loaded after it.
     */
    @Test
    void anIdleStopLoadsNoClassOfGracefulAfterTheSignal(@TempDir Path dir) throws Exception {
        ClassLoadLog classes = ClassLoadLog.in(dir);
        try (ChildAppProcess child = ChildAppProcess.start(
                List.of(classes.jvmOption(), "-Dorg.slf4j.simpleLogger.log.dev.graceful.GracefulShutdown=debug"))) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> child.output().contains("Rehearsed the shutdown sequence in "));
            classes.mark();

            assertThat(terminate(child)).isZero();

            assertThat(classes.loadedSinceMark("dev.graceful."))
                    .as("classes of graceful loaded after the signal")
                    .filteredOn(name -> !name.startsWith("dev.graceful.it."))
                    .isEmpty();
            assertThat(child.output()).contains("Shutdown started (SIGTERM)", "exit status 0 (CLEAN)");
        }
    }

    @Test
    void sigintDrainsTheSameWay() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start()) {
            CompletableFuture<HttpResponse<String>> held = child.hold("a");
            awaitInFlight(child, 1);
            signalAndAwaitNotReady(child, "INT");
            child.release("a");
            assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(child.jvm.awaitExit(Duration.ofSeconds(10))).isZero();
            assertThat(child.output()).contains("Shutdown started (SIGINT)");
        }
    }

    @ParameterizedTest(name = "SIG{0} twice exits {1}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSecondSignalEndsTheDrainPromptlyWith128PlusItsNumber(String signal, int exitStatus) throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--drain-timeout", "60s")) {
            child.hold("a");
            awaitInFlight(child, 1);
            signalAndAwaitNotReady(child, signal);
            long second = System.nanoTime();
            child.jvm.signal(signal);
            assertThat(child.jvm.awaitExit(Duration.ofSeconds(10))).isEqualTo(exitStatus);
            System.out.printf(
                    "[measure] second SIG%s -> exit: %d ms%n",
                    signal, TimeUnit.NANOSECONDS.toMillis(child.jvm.exitedAtNanos() - second));
            assertThat(child.output()).contains("Second signal (SIG" + signal + ")");
        }
    }

    @Test
    void aDrainThatTimesOutReportsTheStuckWorkAndExitsWith3() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--drain-timeout", "1s")) {
            child.hold("stuck-1");
            awaitInFlight(child, 1);
            assertThat(terminate(child)).isEqualTo(3);
            assertThat(child.output())
                    .contains(
                            "Drain timed out after 1s with 1 unit(s) still in flight",
                            "http 'GET /hold?id=stuck-1' running for",
                            "abandoned 1",
                            "TASK after ran");
        }
    }

    @Test
    void theExitCodeSurvivesAMainThreadThatReturnsAfterTermination() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--main-returns", "--hang-task")) {
            assertThat(terminate(child)).isEqualTo(4);
        }
    }

    @Test
    void theExitCodeSurvivesWhenTheServersThreadsWereTheLastNonDaemonOnes() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--main-exits", "--drain-timeout", "500ms")) {
            child.hold("stuck");
            awaitInFlight(child, 1);
            // Force-closing stops the server, whose threads were all that kept the JVM alive.
            assertThat(terminate(child)).isEqualTo(3);
            assertThat(child.output()).contains("TASK after ran");
        }
    }

    @Test
    void aHungShutdownTaskIsAbandonedTheNextOneRunsAndTheExitCodeSaysSo() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--hang-task")) {
            assertThat(terminate(child)).isEqualTo(4);
            assertThat(child.output())
                    .contains(
                            "Shutdown task 'hang' overran its timeout of 500ms",
                            "TASK after ran",
                            "shutdown tasks 1/2 ok");
        }
    }

    @Test
    void theWatchdogHaltsAProcessWhoseExitIsWedgedByAShutdownHook() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--hang-hook", "--watchdog-margin", "1s")) {
            child.jvm.signal("TERM");
            assertThat(child.jvm.awaitExit(Duration.ofSeconds(20))).isEqualTo(124);
            assertThat(child.output()).contains("HOOK hanging", "graceful watchdog", "halting the process");
        }
    }

    @Test
    void aSecondSignalsExitIsNotHeldByAWedgedShutdownHookAndKeepsTheSignalsCode() throws Exception {
        try (ChildAppProcess child =
                ChildAppProcess.start("--hang-hook", "--drain-timeout", "60s", "--watchdog-margin", "60s")) {
            child.hold("a");
            awaitInFlight(child, 1);
            signalAndAwaitNotReady(child, "TERM");
            child.jvm.signal("INT");
            // The exit's budget (1 s), not the watchdog's margin (60 s) nor its 124.
            assertThat(child.jvm.awaitExit(Duration.ofSeconds(15))).isEqualTo(130);
            assertThat(child.output())
                    .contains("HOOK hanging", "used its budget; halting the process with exit code 130");
        }
    }

    @Test
    void sighupRunsReloadCallbacksWithoutExiting() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start("--reload")) {
            assertThat(child.awaitLine("TRAPPED ")).contains("HUP");
            child.jvm.signal("HUP");
            child.awaitLine("RELOADED 1");
            assertThat(child.health("/healthz")).isEqualTo(200);
            child.jvm.signal("HUP");
            child.awaitLine("RELOADED 2");
            assertThat(child.jvm.isAlive()).isTrue();
            child.jvm.signal("TERM");
            assertThat(child.jvm.awaitExit(Duration.ofSeconds(10))).isZero();
        }
    }

    @Test
    void withoutReloadCallbacksSighupKeepsTheJvmDefault() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start()) {
            assertThat(child.awaitLine("TRAPPED ")).doesNotContain("HUP");
            child.jvm.signal("HUP");
            // The JVM's default: run the shutdown hooks (graceful's drains) and exit 128 + 1.
            assertThat(child.jvm.awaitExit(Duration.ofSeconds(10))).isEqualTo(129);
            assertThat(child.output()).contains("Shutdown started (JVM shutdown)");
        }
    }

    @Test
    void underXrsSystemExitStillDrainsThroughTheShutdownHook() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start(List.of("-Xrs"))) {
            assertThat(child.awaitLine("TRAPPED ")).isEqualTo("TRAPPED []");
            // The warning goes to stderr, read by another thread than stdout's TRAPPED line.
            child.jvm.output().awaitLine(line -> line.contains("Cannot trap SIGTERM"), Duration.ofSeconds(10));
            CompletableFuture<HttpResponse<String>> held = child.hold("a");
            awaitInFlight(child, 1);
            child.exit(0);
            await().atMost(Duration.ofSeconds(5)).until(() -> child.health("/healthz") == 503);
            assertThat(child.jvm.isAlive()).as("draining inside the hook").isTrue();
            child.awaitDraining();
            child.release("a");
            assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(child.jvm.awaitExit(Duration.ofSeconds(10))).isZero();
            assertThat(child.output()).contains("draining inside the shutdown hook", "drained 1, abandoned 0");
        }
    }
}
