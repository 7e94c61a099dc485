package dev.graceful.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.Tracker;
import dev.graceful.testkit.KitWebSocket.Closing;
import dev.graceful.testkit.RawHttpConnection.Close;
import dev.graceful.testkit.RawWebSocket.Frame;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit for long-lived connections: WebSockets ({@code GET /ws}) and event streams
 * ({@code GET /events}), as {@link KitApp} documents them, through a shutdown. Extend it like
 * {@link DrainConformanceKit}, with a server that serves those two routes too.
 *
 * <p>What the scenarios demand of an adapter:
 * <ul>
 *   <li>during the readiness delay, messages are echoed and events flow, on open and on new connections;</li>
 *   <li>when the delay ends (the listeners close), every WebSocket gets a Close with status 1001 and
 *   every event stream ends in order (the chunked terminator, then an orderly close, never a reset);</li>
 *   <li>with clients that answer, the shutdown then completes at once, long before the drain timeout,
 *   and cleanly; a client that never answers the Close is cut at the long-lived deadline, and the
 *   exit status stays clean;</li>
 *   <li>they neither wait for nor hold the ordinary drain: a held request keeps the drain open while
 *   the WebSockets are already gone;</li>
 *   <li>they are counted as the kinds {@code "websocket"} and {@code "sse"} of
 *   {@link GracefulShutdown#trackers()}, not in the drain's {@link GracefulShutdown#inFlight()}, and
 *   count themselves out when their client leaves.</li>
 * </ul>
 */
public abstract class LongLivedConformanceKit extends KitHarness {

    /** Far beyond any scenario: a shutdown that waits for it has failed. */
    private static final Duration LONG_DRAIN = Duration.ofSeconds(30);
    /** Long enough that a connection still open when it passes makes the shutdown overrun {@link #PROMPTLY}. */
    private static final Duration LONG_LONG_LIVED = Duration.ofSeconds(20);
    /** A generous bound, for a loaded machine, of a shutdown whose long-lived clients cooperate. */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    @Test
    void webSocketEchoAndEventsKeepFlowingDuringTheReadinessDelay() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig().readinessDelay(Duration.ofSeconds(30)));
        KitWebSocket ws = webSocket();
        KitEventStream events = events();
        assertThat(events.isEventStream()).as("/events head: %s", events.head()).isTrue();
        assertThat(ws.echo("before")).isEqualTo("before");
        events.awaitEvents(2);

        graceful.shutdown("kit");
        long atShutdown = events.count();
        assertThat(ws.echo("during the delay")).isEqualTo("during the delay");
        assertThat(ws.echo("ünïcødé ✓")).isEqualTo("ünïcødé ✓");
        events.awaitEvents(atShutdown + 5);
        KitWebSocket opened = webSocket();
        assertThat(opened.echo("opened during the delay")).isEqualTo("opened during the delay");

        assertThat(graceful.phase()).isEqualTo(Phase.READINESS_DELAY);
        assertThat(ws.closeReceived()).as("no Close during the delay").isFalse();
        assertThat(opened.closeReceived()).as("no Close during the delay").isFalse();
    }

    @Test
    void everyWebSocketGetsClose1001WhenTheDelayEndsAndTheShutdownCompletesPromptly() throws Exception {
        GracefulShutdown graceful = startWith(longLived().readinessDelay(Duration.ofMillis(500)));
        List<KitWebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            KitWebSocket ws = webSocket();
            assertThat(ws.echo("ws " + i)).isEqualTo("ws " + i);
            sockets.add(ws);
        }
        soon().until(() -> open(KitApp.WEBSOCKET_KIND) == 3);

        long started = System.nanoTime();
        graceful.shutdown("kit");
        for (KitWebSocket ws : sockets) {
            Closing closing = ws.awaitClose();
            assertThat(closing.status()).as("Going Away").isEqualTo(KitApp.GOING_AWAY);
            assertThat(graceful.phase()).as("asked when the delay ended").isNotEqualTo(Phase.READINESS_DELAY);
        }
        ShutdownReport report = awaitReport();
        assertPrompt(started, report);
        assertThat(report.longLivedAsked()).isGreaterThanOrEqualTo(3);
        assertThat(report.longLivedCut()).as("every client answered").isZero();
        assertThat(open(KitApp.WEBSOCKET_KIND)).isZero();
    }

    @Test
    void anEventStreamEndsInOrderWhenTheDelayEnds() throws Exception {
        GracefulShutdown graceful = startWith(longLived().readinessDelay(Duration.ofMillis(500)));
        KitEventStream events = events();
        assertThat(events.isEventStream()).as("/events head: %s", events.head()).isTrue();
        long atShutdown = events.awaitEvents(2);
        soon().until(() -> open(KitApp.SSE_KIND) == 1);

        long started = System.nanoTime();
        graceful.shutdown("kit");
        // Every event whole and in sequence, then the chunked terminator: a reset or a truncated
        // chunk or event fails here.
        Close end = events.readToEnd(AT_MOST);
        assertThat(graceful.phase()).as("ended when the delay was over").isNotEqualTo(Phase.READINESS_DELAY);
        assertThat(end)
                .as("after the terminator the server closes the connection cleanly")
                .isEqualTo(Close.EOF);
        assertThat(events.count()).as("events flowed during the 500 ms delay").isGreaterThanOrEqualTo(atShutdown + 2);

        ShutdownReport report = awaitReport();
        assertPrompt(started, report);
        assertThat(report.longLivedAsked()).isEqualTo(1);
        assertThat(report.longLivedCut()).isZero();
    }

    @Test
    void aWebSocketClientThatNeverAnswersTheCloseIsCutAtTheLongLivedDeadline() throws Exception {
        Duration deadline = Duration.ofSeconds(1);
        GracefulShutdown graceful =
                startWith(baseConfig().drainTimeout(LONG_DRAIN).longLivedTimeout(deadline));
        RawWebSocket ws = rawWebSocket();
        ws.sendText("hello");
        assertThat(ws.readText()).isEqualTo("hello");
        soon().until(() -> open(KitApp.WEBSOCKET_KIND) == 1);

        long started = System.nanoTime();
        graceful.shutdown("kit");
        Frame close = ws.readFrame();
        while (close.opcode() == RawWebSocket.PING) {
            close = ws.readFrame();
        }
        long asked = System.nanoTime();
        assertThat(close.opcode()).as("a Close: %s", close).isEqualTo(RawWebSocket.CLOSE);
        assertThat(close.closeStatus()).isEqualTo(KitApp.GOING_AWAY);
        // Not answered: the server must wait for the answer until the long-lived deadline, and no longer.
        // (The bound below leaves room for a Close that reached this client late on a loaded machine.)
        assertThat(ws.awaitEnd(AT_MOST)).as("cut").isIn(Close.EOF, Close.RESET);
        assertThat(millisSince(asked))
                .as("cut at the long-lived deadline, %s after the Close was sent, not at once", deadline)
                .isGreaterThanOrEqualTo(deadline.toMillis() / 4);

        ShutdownReport report = awaitReport();
        assertPrompt(started, report);
        assertThat(report.longLivedAsked()).isEqualTo(1);
        assertThat(report.longLivedCut()).isEqualTo(1);
        assertThat(open(KitApp.WEBSOCKET_KIND)).isZero();
    }

    @Test
    void aHeldRequestKeepsTheDrainOpenWhileTheWebSocketsAreAlreadyClosed() throws Exception {
        GracefulShutdown graceful = startWith(longLived().readinessDelay(Duration.ofMillis(300)));
        CompletableFuture<HttpResponse<String>> held = hold("h");
        awaitHeld("h");
        KitWebSocket ws = webSocket();
        assertThat(ws.echo("hi")).isEqualTo("hi");

        graceful.shutdown("kit");
        assertThat(ws.awaitClose().status()).isEqualTo(KitApp.GOING_AWAY);
        // The WebSocket did not wait for the request, and is gone while the request still runs.
        soon().until(() -> open(KitApp.WEBSOCKET_KIND) == 0);
        assertThat(held).as("the held request is still running").isNotDone();
        assertThat(graceful.phase()).as("the drain is still open").isEqualTo(Phase.AWAITING_IN_FLIGHT);
        assertThat(graceful.inFlight()).isEqualTo(1);

        HttpResponse<String> response = releaseAndAwait("h", held);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("released h");
        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.drainTimedOut()).isFalse();
        assertThat(report.inFlightAtDrainStart())
                .as("the drain counted the request only")
                .isEqualTo(1);
        assertThat(report.longLivedAsked()).isEqualTo(1);
        assertThat(report.longLivedCut()).isZero();
    }

    @Test
    void webSocketsAndEventStreamsAreCountedAsTheirOwnKindsNotAsInFlightRequests() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig());
        KitWebSocket ws = webSocket();
        assertThat(ws.echo("counted")).isEqualTo("counted");
        KitEventStream events = events();
        events.awaitEvents(1);

        soon().until(() -> open(KitApp.WEBSOCKET_KIND) == 1 && open(KitApp.SSE_KIND) == 1);
        assertThat(graceful.trackers()).extracting(Tracker::kind).contains(KitApp.WEBSOCKET_KIND, KitApp.SSE_KIND);
        assertThat(graceful.inFlight()).as("the drain's count leaves them out").isZero();
        CompletableFuture<HttpResponse<String>> held = hold("h");
        awaitHeld("h");
        assertThat(graceful.inFlight())
                .as("the drain's count: the request only")
                .isEqualTo(1);
        assertThat(releaseAndAwait("h", held).statusCode()).isEqualTo(200);

        // Clients that leave count themselves out.
        ws.leave();
        events.close();
        soon().until(() -> open(KitApp.WEBSOCKET_KIND) == 0 && open(KitApp.SSE_KIND) == 0);

        graceful.shutdown("kit");
        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.longLivedAsked()).as("none open to ask").isZero();
        assertThat(report.longLivedCut()).isZero();
    }

    // ------------------------------------------------------------------ helpers

    /** A long drain timeout and a long long-lived deadline: a shutdown that waits for either is too slow. */
    private GracefulConfig.Builder longLived() {
        return baseConfig().drainTimeout(LONG_DRAIN).longLivedTimeout(LONG_LONG_LIVED);
    }

    /** The connections of one long-lived kind open now, as the coordinator counts them. */
    private long open(String kind) {
        return graceful().trackers().stream()
                .filter(t -> t.kind().equals(kind))
                .mapToLong(Tracker::inFlight)
                .sum();
    }

    private static void assertPrompt(long startedNanos, ShutdownReport report) {
        assertThat(report.isClean()).as("exit status CLEAN: %s", report).isTrue();
        assertThat(millisSince(startedNanos))
                .as("shutdown to report, with a %s drain timeout", LONG_DRAIN)
                .isLessThan(PROMPTLY.toMillis());
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
