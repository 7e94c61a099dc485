package dev.graceful.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.ExitStatus;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulListener;
import dev.graceful.Phase;
import dev.graceful.RecordingParticipant;
import dev.graceful.ShutdownReport;
import dev.graceful.TaskOutcome;
import dev.graceful.Transition;
import dev.graceful.Work;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** The shutdown rehearsed at ready, on the real scheduler, must leave no trace on the real one. */
class RehearsalTest {

    private final RecordingLog log = new RecordingLog();
    private final RecordingProcess process = new RecordingProcess();
    private final List<Phase> heard = new CopyOnWriteArrayList<>();

    private DefaultGracefulShutdown create(boolean rehearse) {
        DefaultGracefulShutdown g = new DefaultGracefulShutdown(
                GracefulConfig.builder()
                        .drainTimeout(Duration.ofSeconds(20))
                        .watchdogMargin(Duration.ofMinutes(10))
                        .build(),
                new SystemScheduler(),
                process,
                Map.of(),
                log,
                rehearse);
        g.addListener(new GracefulListener() {
            @Override
            public void onTransition(Transition transition) {
                heard.add(transition.to());
            }
        });
        return g;
    }

    @Test
    void theRehearsalAtReadyRunsTheWholeSequenceAndLeavesTheRealCoordinatorReadyAndSilent() throws Exception {
        DefaultGracefulShutdown g = create(true);
        RecordingParticipant server = RecordingParticipant.registeredWith(g, "server");
        g.addShutdownTask("real-task", () -> server.calls.add("task"));
        assertThat(g.rehearsal()).as("nothing rehearsed before ready").isNull();

        g.markReady();
        ShutdownReport rehearsed = g.rehearsal().get(10, TimeUnit.SECONDS);

        assertThat(rehearsed.reason()).isEqualTo("rehearsal");
        assertThat(rehearsed.exitStatus()).isEqualTo(ExitStatus.CLEAN);
        assertThat(rehearsed.tasks())
                .as("the real tasks are not the stand-in's")
                .extracting(TaskOutcome::name)
                .containsExactly("rehearsal");
        assertThat(g.phase()).isEqualTo(Phase.READY);
        assertThat(g.isReady()).isTrue();
        assertThat(g.termination()).isNotDone();
        assertThat(server.calls).as("the real participants are not called").isEmpty();
        assertThat(heard)
                .as("the real listeners hear only the real transitions")
                .containsExactly(Phase.READY);
        assertThat(process.calls).isEmpty();
        assertThat(log.lines)
                .as("the stand-in's own lines go nowhere")
                .hasSize(3)
                .startsWith("DEBUG Phase STARTING -> READY", "INFO Ready: taking traffic");
        assertThat(log.lines.get(2)).startsWith("DEBUG Rehearsed the shutdown sequence in ");
    }

    @Test
    void aShutdownRightAfterReadyDrainsAndReportsItsOwnWorkWhateverTheRehearsalIsDoing() throws Exception {
        DefaultGracefulShutdown g = create(true);
        RecordingParticipant server = RecordingParticipant.registeredWith(g, "server");
        g.markReady();
        Work held = g.tracker("http").begin("GET /held");
        g.shutdown("test");
        await().atMost(Duration.ofSeconds(10)).until(() -> g.phase() == Phase.AWAITING_IN_FLIGHT);
        held.close();

        ShutdownReport report = g.termination().get(10, TimeUnit.SECONDS);
        assertThat(report.reason()).isEqualTo("test");
        assertThat(report.drained()).isEqualTo(1);
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
        assertThat(server.calls).containsExactly("server.stopAccepting", "server.closeIdle");
        assertThat(g.rehearsal().get(10, TimeUnit.SECONDS).drained()).isZero();
        assertThat(log.lines).filteredOn(l -> l.contains("rehearsal")).isEmpty();
    }

    @Test
    void aCoordinatorOnATestClockDoesNotRehearse() {
        DefaultGracefulShutdown g = create(false);
        g.markReady();
        assertThat(g.rehearsal()).isNull();
    }

    /** Every line a logger is given, formatted, with its level. */
    private static final class RecordingLog extends LegacyAbstractLogger {

        final List<String> lines = new CopyOnWriteArrayList<>();

        RecordingLog() {
            this.name = "recording";
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(
                Level level, Marker marker, String message, Object[] arguments, Throwable throwable) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(message, arguments));
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
