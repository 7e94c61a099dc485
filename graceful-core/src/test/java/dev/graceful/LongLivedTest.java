package dev.graceful;

import static dev.graceful.ShutdownReports.awaitReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.graceful.internal.DefaultGracefulShutdown;
import dev.graceful.internal.ManualScheduler;
import dev.graceful.internal.RecordingProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class LongLivedTest {

    @AutoClose
    private final ManualScheduler clock = new ManualScheduler();

    private final List<String> calls = new CopyOnWriteArrayList<>();

    private GracefulShutdown create(GracefulConfig.Builder config) {
        GracefulShutdown g = new DefaultGracefulShutdown(config.build(), clock, new RecordingProcess());
        g.register(new RecordingParticipant("server", calls));
        g.markReady();
        return g;
    }

    private Departure recording(String name) {
        return new Departure() {
            @Override
            public void goAway() {
                calls.add(name + ".goAway");
            }

            @Override
            public void cut() {
                calls.add(name + ".cut");
            }
        };
    }

    @Test
    void areAskedToLeaveWhenTheListenersCloseNotDuringTheReadinessDelay() {
        GracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(5)));
        Work ws = g.longLived("websocket").open("GET /ws", recording("ws"));

        g.shutdown("test");
        clock.advance(Duration.ofMillis(4999));
        assertThat(calls).as("still served during the delay").isEmpty();

        clock.advance(Duration.ofMillis(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.contains("ws.goAway"));
        assertThat(calls).containsExactly("server.stopAccepting", "ws.goAway");
        ws.close();

        ShutdownReport report = awaitReport(g);
        assertThat(report.longLivedAsked()).isEqualTo(1);
        assertThat(report.longLivedCut()).isZero();
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
    }

    @Test
    void doNotHoldTheDrainButTheIdleCloseWaitsUntilTheyHaveClosed() {
        GracefulShutdown g = create(GracefulConfig.builder().drainTimeout(Duration.ofSeconds(30)));
        Work ws = g.longLived("websocket").open("GET /ws", recording("ws"));
        Work request = g.tracker("http").begin("GET /slow");

        g.shutdown("test");
        clock.awaitIdle();
        assertThat(g.inFlight()).as("the drain counts the request only").isEqualTo(1);
        request.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> g.phase() == Phase.CLOSING_IDLE);
        clock.awaitIdle();
        assertThat(calls)
                .as("idle connections are closed after the long-lived ones")
                .doesNotContain("server.closeIdle");

        ws.close();
        ShutdownReport report = awaitReport(g);
        assertThat(calls).containsExactly("server.stopAccepting", "ws.goAway", "server.closeIdle");
        assertThat(report.drained()).isEqualTo(1);
        assertThat(report.totalDuration()).as("no clock time passed").isZero();
    }

    @Test
    void oneThatDoesNotCloseIsCutAtTheLongLivedDeadlineAndTheExitStaysClean() {
        GracefulShutdown g = create(GracefulConfig.builder().longLivedTimeout(Duration.ofSeconds(2)));
        LongLived sse = g.longLived("sse");
        sse.open("GET /events", recording("polite")).close();
        Work deaf = sse.open("GET /events", recording("deaf"));
        Work polite = sse.open("GET /events", recording("polite2"));

        g.shutdown("test");
        clock.awaitIdle();
        polite.close();
        clock.advance(Duration.ofMillis(1999));
        assertThat(calls).doesNotContain("deaf.cut");

        clock.advance(Duration.ofMillis(1));
        ShutdownReport report = awaitReport(g);
        assertThat(calls).containsSubsequence("deaf.goAway", "deaf.cut", "server.closeIdle");
        assertThat(report.longLivedAsked()).isEqualTo(2);
        assertThat(report.longLivedCut()).isEqualTo(1);
        assertThat(report.abandoned()).isZero();
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
        assertThat(deaf.isClosed())
                .as("cut is not closed: the adapter counts it out")
                .isFalse();
    }

    @Test
    void oneOpenedAfterTheListenersClosedIsAskedToLeaveAtOnce() {
        GracefulShutdown g = create(GracefulConfig.builder());
        Work request = g.tracker("http").begin("GET /upgrade");
        g.shutdown("test");
        clock.awaitIdle();

        Work late = g.longLived("websocket").open("GET /ws", recording("late"));
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.contains("late.goAway"));
        request.close();
        late.close();

        assertThat(awaitReport(g).longLivedAsked()).isEqualTo(1);
    }

    @Test
    void aTimedOutDrainCutsThemWithoutCountingThemAbandoned() {
        GracefulShutdown g = create(
                GracefulConfig.builder().drainTimeout(Duration.ofSeconds(1)).longLivedTimeout(Duration.ofSeconds(5)));
        g.longLived("websocket").open("GET /ws", recording("ws"));
        g.tracker("http").begin("GET /stuck");

        g.shutdown("test");
        clock.awaitIdle();
        clock.advance(Duration.ofSeconds(1));

        ShutdownReport report = awaitReport(g);
        assertThat(calls).containsSubsequence("ws.goAway", "ws.cut", "server.forceClose");
        assertThat(report.abandoned()).isEqualTo(1);
        assertThat(report.longLivedCut()).isEqualTo(1);
        assertThat(report.stuck()).extracting(InFlightWork::kind).containsExactly("http");
    }

    @Test
    void areCountedUnderTheirKindButNotInTheDrainsCount() {
        GracefulShutdown g = create(GracefulConfig.builder());
        LongLived ws = g.longLived("websocket");
        Work a = ws.open("GET /ws", recording("a"));
        ws.open("GET /ws", recording("b"));
        a.close();
        a.close();

        assertThat(ws.count()).isEqualTo(1);
        assertThat(g.trackers())
                .filteredOn(t -> t.kind().equals("websocket"))
                .singleElement()
                .extracting(Tracker::inFlight)
                .isEqualTo(1L);
        assertThat(g.inFlight()).isZero();
        assertThat(g.longLived("websocket")).isSameAs(ws);
    }

    @Test
    void aKindIsEitherATrackersOrLongLived() {
        GracefulShutdown g = create(GracefulConfig.builder());
        g.tracker("http");
        g.longLived("websocket");

        assertThatThrownBy(() -> g.longLived("http"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'http' is already a tracker's kind");
        assertThatThrownBy(() -> g.tracker("websocket"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'websocket' is already a kind of long-lived connection");
        assertThatThrownBy(() -> g.longLived("Web Socket")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDepartureThatThrowsDoesNotStopTheOthers() {
        GracefulShutdown g = create(GracefulConfig.builder().longLivedTimeout(Duration.ofSeconds(1)));
        LongLived ws = g.longLived("websocket");
        ws.open("GET /ws", new Departure() {
            @Override
            public void goAway() {
                throw new IllegalStateException("boom");
            }

            @Override
            public void cut() {
                throw new IllegalStateException("boom again");
            }
        });
        Work fine = ws.open("GET /ws", recording("fine"));

        g.shutdown("test");
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.contains("fine.goAway"));
        fine.close();
        clock.advance(Duration.ofSeconds(1));

        ShutdownReport report = awaitReport(g);
        assertThat(report.longLivedCut()).isEqualTo(1);
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
    }
}
