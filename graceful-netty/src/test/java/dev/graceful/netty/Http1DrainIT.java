package dev.graceful.netty;

import static dev.graceful.testkit.DrainAssertions.assertServedThenClosed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.ExitStatus;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.testkit.ConnectProbe;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.RawHttpConnection;
import dev.graceful.testkit.RawHttpConnection.Close;
import dev.graceful.testkit.RawHttpConnection.Response;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 behaviour beyond the conformance kit, on a real Netty server with raw sockets:
 * pipelining, chunked responses, the deadline's report, and what is left after the drain.
 */
class Http1DrainIT extends DrainITBase {

    private void start(GracefulConfig.Builder config) throws Exception {
        graceful = GracefulShutdown.create(config.build());
        server = NettyTestServer.start(graceful, app, NettyTestServer.Protocol.HTTP1);
        graceful.markReady();
    }

    private RawHttpConnection connect() throws Exception {
        RawHttpConnection c = RawHttpConnection.open(server.port());
        toClose.add(c);
        return c;
    }

    private void awaitConnectionsRefused() {
        ConnectProbe.awaitRefused("127.0.0.1", server.port(), AT_MOST);
    }

    private static String request(String method, String target, String body) {
        return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (body == null ? "\r\n" : "Content-Length: " + body.length() + "\r\n\r\n" + body);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndEachCountsUntilItsResponseIsWritten() throws Exception {
        start(config());
        RawHttpConnection c = connect();
        // One write, four requests: a held one, a health probe, a POST, another held one.
        c.sendRaw(request("GET", "/hold?id=p1", null)
                + request("GET", "/healthz", null)
                + request("POST", "/", "hello")
                + request("GET", "/hold?id=p2", null));
        awaitHeld("p1");
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == 3);
        assertThat(app.isHeld("p2")).as("the application answers in order").isFalse();

        app.release("p1");
        assertThat(c.read().body()).isEqualTo("released p1");
        Response health = c.read();
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        assertThat(c.read().body()).isEqualTo("hello 5");
        awaitHeld("p2");
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == 1);

        app.release("p2");
        Response last = c.read();
        assertThat(last.body()).isEqualTo("released p2");
        assertThat(last.connectionClose()).isFalse();
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == 0);

        c.send("GET", "/", null);
        assertThat(c.read().body()).as("the connection is still usable").isEqualTo("hello");
    }

    @Test
    void whilePipelinedRequestsDrainOnlyTheLastResponseAsksToCloseAndTheConnectionThenCloses() throws Exception {
        start(config());
        RawHttpConnection c = connect();
        c.sendRaw(
                request("GET", "/hold?id=q1", null) + request("GET", "/", null) + request("GET", "/hold?id=q2", null));
        awaitHeld("q1");
        // All three read and counted before the drain starts, as the report below expects: on a
        // loaded machine the two behind q1 can still be on their way when q1 is held.
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == 3);

        graceful.shutdown("it");
        awaitConnectionsRefused();
        app.release("q1");

        Response first = c.read();
        assertThat(first.body()).isEqualTo("released q1");
        assertThat(first.connectionClose())
                .as("requests are pipelined behind it")
                .isFalse();
        Response second = c.read();
        assertThat(second.body()).isEqualTo("hello");
        assertThat(second.connectionClose()).isFalse();
        awaitHeld("q2");
        app.release("q2");
        assertServedThenClosed(c, "the last response of the pipeline", "released q2");

        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.inFlightAtDrainStart()).isEqualTo(3);
        assertThat(report.drained()).isEqualTo(3);
    }

    @Test
    void aChunkedResponseCountsUntilItsLastChunkIsWrittenAndTheConnectionStaysUsable() throws Exception {
        start(config());
        RawHttpConnection c = connect();
        c.send("GET", "/stream?id=s", null);
        Response head = c.readHead();
        assertThat(head.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(c.readChunk()).isEqualTo(KitApp.STREAM_HEAD);
        awaitHeld("s");
        assertThat(graceful.inFlight()).as("committed but not finished").isEqualTo(1);

        app.release("s");
        assertThat(c.readChunk()).isEqualTo(KitApp.STREAM_TAIL);
        assertThat(c.readChunk()).isNull();
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == 0);

        c.send("GET", "/", null);
        Response next = c.read();
        assertThat(next.body()).isEqualTo("hello");
        assertThat(next.connectionClose()).isFalse();
    }

    @Test
    void aRequestThatOutlivesTheDeadlineIsReportedWithMethodTargetAndAgeAndItsConnectionClosed() throws Exception {
        start(config().drainTimeout(Duration.ofSeconds(1)).closeTimeout(Duration.ofSeconds(2)));
        RawHttpConnection c = connect();
        c.send("POST", "/hold?id=late", "payload");
        awaitHeld("late");

        graceful.shutdown("it");
        ShutdownReport report = awaitReport();

        assertThat(report.exitStatus()).isEqualTo(ExitStatus.DRAIN_TIMED_OUT);
        assertThat(report.abandoned()).isEqualTo(1);
        InFlightWork stuck = report.stuck().get(0);
        assertThat(stuck.kind()).isEqualTo("http");
        assertThat(stuck.description()).startsWith("POST /hold?id=late").contains("127.0.0.1");
        assertThat(stuck.age()).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(c.awaitClose(AT_MOST)).as("force-closed").isIn(Close.EOF, Close.RESET);
        assertThat(graceful.inFlight())
                .as("counted out when its connection closed")
                .isZero();

        app.release("late"); // the late answer goes nowhere and counts nothing
        assertThat(graceful.inFlight()).isZero();
        await().atMost(AT_MOST).until(() -> server.group().isTerminated());
    }

    @Test
    void afterACleanDrainIdleConnectionsAreClosedWithAnEndOfStreamAndTheEventLoopsStop() throws Exception {
        start(config());
        RawHttpConnection a = connect();
        RawHttpConnection b = connect();
        a.send("GET", "/", null);
        a.read();
        b.send("GET", "/healthz", null);
        b.read();

        graceful.shutdown("it");
        assertThat(a.awaitClose(AT_MOST)).isEqualTo(Close.EOF);
        assertThat(b.awaitClose(AT_MOST)).isEqualTo(Close.EOF);
        a.close();
        b.close();

        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        await().atMost(AT_MOST).until(() -> server.group().isTerminated());
        assertThat(server.netty.connections()).isZero();
    }

    @Test
    void healthProbesAreAnsweredButNeverCounted() throws Exception {
        start(config());
        RawHttpConnection held = connect();
        held.send("GET", "/hold?id=h", null);
        awaitHeld("h");
        RawHttpConnection probe = connect();
        for (String path : List.of("/healthz", "/readyz", "/livez")) {
            probe.send("GET", path + "?verbose=1", null);
            assertThat(probe.read().status()).isEqualTo(200);
        }
        probe.send("HEAD", "/livez", null);
        Response head = probe.readHeadResponse();
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isNotEqualTo("0");
        probe.send("DELETE", "/livez", null);
        Response delete = probe.read();
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.header("Allow")).isEqualTo("GET, HEAD");
        assertThat(graceful.inFlight()).isEqualTo(1);
        assertThat(graceful.tracker("http").inFlight()).isEqualTo(1);
        app.release("h");
        assertThat(held.read().body()).isEqualTo("released h");
    }

    @Test
    void readinessAnswersReportTheirProberSoTheReadinessDelayEndsOnceItSawThemFail() throws Exception {
        start(config().readinessDelay(Duration.ofSeconds(30)).readinessProbes(2));
        RawHttpConnection before = connect();
        before.send("GET", "/healthz", null);
        assertThat(before.read().status()).isEqualTo(200);

        graceful.shutdown("it");
        RawHttpConnection live = connect();
        live.send("GET", "/livez", null);
        assertThat(live.read().status()).isEqualTo(200);
        RawHttpConnection head = connect();
        head.send("HEAD", "/readyz", null);
        assertThat(head.readHeadResponse().status()).isEqualTo(503);
        assertThat(graceful.phase()).isEqualTo(Phase.READINESS_DELAY);
        RawHttpConnection get = connect();
        get.send("GET", "/healthz?full=1", null);
        assertThat(get.read().status()).isEqualTo(503);

        assertThat(awaitReport().readinessDelay()).isLessThan(Duration.ofSeconds(5));
    }
}
