package dev.graceful.internal;

import static dev.graceful.ShutdownReports.awaitReport;
import static dev.graceful.micrometer.Meters.timerCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.ExitStatus;
import dev.graceful.GracefulConfig;
import dev.graceful.Phase;
import dev.graceful.RecordingParticipant;
import dev.graceful.ShutdownReport;
import dev.graceful.Tracker;
import dev.graceful.Work;
import dev.graceful.micrometer.GracefulMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A second signal, a third, and the watchdog's last words: what the report, the metrics and the
 * log say must be what the process exits with. Signals are delivered by calling the owner's
 * handler directly, without trapping anything in the test JVM.
 */
class ForcedEndTest {

    private final ManualScheduler clock = new ManualScheduler();
    private final RecordingProcess process = new RecordingProcess();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stopClock() {
        clock.close();
    }

    private DefaultGracefulShutdown create(GracefulConfig.Builder config) {
        // A margin no test reaches: the watchdog's real-time thread must not halt mid-test.
        DefaultGracefulShutdown g = new DefaultGracefulShutdown(
                config.watchdogMargin(Duration.ofMinutes(10)).build(), clock, process);
        new GracefulMetrics(g).bindTo(registry);
        // Nor may a second signal's exit budget: this recording process never ends, like an exit
        // whose hooks never return.
        g.processOwner().secondSignalExit(Duration.ofMinutes(10));
        return g;
    }

    @Test
    void aSecondSignalDuringTheDrainReportsTheAbandonedWorkAndTheExitCodeBeforeExiting() {
        DefaultGracefulShutdown g = create(GracefulConfig.builder().drainTimeout(Duration.ofSeconds(60)));
        RecordingParticipant server = RecordingParticipant.registeredWith(g, "server");
        g.addShutdownTask("after", () -> server.calls.add("task"));
        g.markReady();
        Tracker http = g.tracker("http");
        Work held = http.begin("GET /held");
        Work done = http.begin("GET /done");

        g.processOwner().onStopSignal("TERM");
        clock.awaitIdle();
        assertThat(g.phase()).isEqualTo(Phase.AWAITING_IN_FLIGHT);
        done.close();
        g.processOwner().onStopSignal("INT");

        ShutdownReport report = awaitReport(g);
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.FORCED_BY_SIGINT);
        assertThat(report.isClean()).isFalse();
        assertThat(report.abandoned()).isEqualTo(1);
        assertThat(report.drained()).isEqualTo(1);
        assertThat(report.drainTimedOut()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> process.calls.contains("exit 130"));
        assertThat(g.phase()).isEqualTo(Phase.STOPPED);
        assertThat(registry.get("graceful.work.abandoned").counter().count()).isEqualTo(1);
        assertThat(timerCount(registry, "graceful.drain", "outcome", "forced")).isEqualTo(1);
        assertThat(timerCount(registry, "graceful.shutdown", "exit.status", "forced_by_sigint"))
                .isEqualTo(1);

        // The cut request ends as the process exits: the sequence, already ended, takes no more steps.
        held.close();
        clock.awaitIdle();
        clock.advance(Duration.ofMinutes(2));
        assertThat(g.phase()).isEqualTo(Phase.STOPPED);
        assertThat(g.termination().join()).isSameAs(report);
        // forceClose: the exit's own, so that no server thread holds the JVM's exit (not a step of the sequence).
        assertThat(server.calls).containsExactly("server.stopAccepting", "server.forceClose");
        assertThat(process.calls).containsExactly("exit 130");
        assertThat(registry.get("graceful.shutdown").timers()).hasSize(1);
    }

    @Test
    void aSecondSignalDuringTheReadinessDelayAbandonsWhatIsInFlightAndStopsNothingMore() {
        DefaultGracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(5)));
        RecordingParticipant server = RecordingParticipant.registeredWith(g, "server");
        g.markReady();
        g.tracker("http").begin("GET /a");

        g.processOwner().onStopSignal("TERM");
        clock.advance(Duration.ofSeconds(1));
        g.processOwner().onStopSignal("TERM");

        ShutdownReport report = awaitReport(g);
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.FORCED_BY_SIGTERM);
        assertThat(report.abandoned()).isEqualTo(1);
        assertThat(report.drained()).isZero();
        assertThat(report.readinessDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(report.drainDuration()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> process.calls.contains("exit 143"));
        clock.advance(Duration.ofSeconds(10));
        assertThat(server.calls)
                .as("no participant step after the end but the exit's own forceClose")
                .containsExactly("server.forceClose");
        assertThat(g.phase()).isEqualTo(Phase.STOPPED);
    }

    @Test
    void aSecondSignalAfterTheEndKeepsTheReportsCodeAndAThirdHalts() {
        DefaultGracefulShutdown g = create(GracefulConfig.builder());
        g.markReady();
        g.processOwner().onStopSignal("TERM");
        ShutdownReport report = awaitReport(g);
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);

        g.processOwner().onStopSignal("TERM");
        await().atMost(Duration.ofSeconds(10)).until(() -> process.calls.contains("exit 0"));
        assertThat(g.termination().join()).isSameAs(report);

        g.processOwner().onStopSignal("INT");
        assertThat(process.calls).containsExactly("exit 0", "halt 130");
    }

    @Test
    void aDrainTimeoutThenASecondSignalDuringTheTasksStillCountsTheTimedOutWork() throws Exception {
        DefaultGracefulShutdown g = create(GracefulConfig.builder().drainTimeout(Duration.ofSeconds(1)));
        CountDownLatch taskRuns = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        g.addShutdownTask("slow", Duration.ofSeconds(30), () -> {
            taskRuns.countDown();
            release.await();
        });
        g.markReady();
        Work stuck = g.tracker("http").begin("GET /stuck");
        g.processOwner().onStopSignal("TERM");
        clock.advance(Duration.ofSeconds(1));
        assertThat(taskRuns.await(10, TimeUnit.SECONDS)).isTrue();
        stuck.close();
        g.processOwner().onStopSignal("TERM");

        ShutdownReport report = awaitReport(g);
        release.countDown();
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.FORCED_BY_SIGTERM);
        assertThat(report.drainTimedOut()).isTrue();
        assertThat(report.abandoned()).isEqualTo(1);
        assertThat(timerCount(registry, "graceful.drain", "outcome", "timed_out"))
                .isEqualTo(1);
        assertThat(registry.get("graceful.work.abandoned").counter().count()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> process.calls.contains("exit 143"));
    }

    @Test
    void theWatchdogsLastLineNamesItsExitCodeThePhaseAndTheWorkItAbandons() {
        DefaultGracefulShutdown g = create(GracefulConfig.builder());
        g.markReady();
        g.tracker("http").begin("GET /stuck");
        g.shutdown("test");
        clock.awaitIdle();

        assertThat(g.processOwner().watchdogMessage())
                .contains(
                        "halting the process with exit code 124 (WATCHDOG)",
                        "in phase AWAITING_IN_FLIGHT with 1 unit(s) still in flight, abandoned by the halt",
                        "http 'GET /stuck' running for");
    }

    @Test
    void theWatchdogsLastLineAfterTheEndSaysTheHaltReplacesTheReportsStatus() {
        DefaultGracefulShutdown g = create(GracefulConfig.builder());
        g.markReady();
        g.shutdown("test");
        awaitReport(g);

        assertThat(g.processOwner().watchdogMessage())
                .contains("exit code 124", "the shutdown had ended (exit status 0, CLEAN, abandoned 0)");
    }

    @Test
    void aSecondSignalForceClosesEveryParticipantBeforeTheExitSoNoServerThreadHoldsTheJvmsExit() {
        DefaultGracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(60)));
        RecordingParticipant server = new RecordingParticipant("server", process.calls);
        g.register(server);
        g.markReady();
        g.tracker("http").begin("GET /held");

        g.processOwner().onStopSignal("TERM");
        g.processOwner().onStopSignal("INT");

        await().atMost(Duration.ofSeconds(10)).until(() -> process.calls.contains("exit 130"));
        assertThat(process.calls).containsSubsequence("server.forceClose", "exit 130");
    }

    @Test
    void aSecondSignalExitsEvenWhenAParticipantNeverFinishesItsForceClose() {
        DefaultGracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(60)));
        RecordingParticipant server = new RecordingParticipant("server", process.calls);
        server.forceClose = new CompletableFuture<>();
        g.register(server);
        g.markReady();

        g.processOwner().onStopSignal("TERM");
        g.processOwner().onStopSignal("INT");

        await().atMost(Duration.ofSeconds(10)).until(() -> process.calls.contains("exit 130"));
        assertThat(process.calls).containsSubsequence("server.forceClose", "exit 130");
    }

    @Test
    void aSecondSignalsExitThatOverrunsItsBudgetIsHaltedWithTheSignalsCodeNotTheWatchdogs() {
        DefaultGracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(60)));
        g.processOwner().secondSignalExit(Duration.ofMillis(100));
        g.markReady();
        g.tracker("http").begin("GET /held");

        g.processOwner().onStopSignal("TERM");
        long second = System.nanoTime();
        g.processOwner().onStopSignal("INT");

        // The recording process's exit returns and nothing ends: a shutdown hook that never does.
        await().atMost(Duration.ofSeconds(10)).until(() -> process.calls.contains("halt 130"));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - second))
                .as("halted after the budget, not the watchdog margin (10 min)")
                .isBetween(100L, 9_000L);
        assertThat(process.calls).containsExactly("exit 130", "halt 130");
        assertThat(awaitReport(g).exitStatus()).isEqualTo(ExitStatus.FORCED_BY_SIGINT);
    }
}
