package dev.graceful.testkit;

import static dev.graceful.testkit.DrainAssertions.assertOneStuck;
import static dev.graceful.testkit.DrainAssertions.assertServedThenClosed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.State;
import dev.graceful.testkit.RawHttpConnection.Close;
import dev.graceful.testkit.RawHttpConnection.Response;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conformance kit: HTTP-level drain scenarios written once and run against every adapter.
 *
 * <p>To check an adapter, extend this class in an integration test and say how to start a server
 * with the adapter wired in:
 *
 * <pre>{@code
 * class MyServerConformanceIT extends DrainConformanceKit {
 *     @Override
 *     protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
 *         MyServer server = new MyServer(0);                      // ephemeral port, 127.0.0.1
 *         server.route(new MyGracefulHandler(graceful));          // tracking + health endpoints
 *         server.route(app);                                       // the routes KitApp documents
 *         graceful.register(new MyServerParticipant(server));
 *         server.start();
 *         return KitServer.of(server.port(), server::stopNow);
 *     }
 * }
 * }</pre>
 *
 * <p>Each scenario creates its own {@link GracefulShutdown}, calls {@link #start}, then
 * {@link GracefulShutdown#markReady()}, and drives the shutdown through
 * {@link GracefulShutdown#shutdown(String)} in-process; the signal path is graceful-core's
 * concern and is tested there. What the scenarios demand of an adapter:
 *
 * <ul>
 *   <li>readiness fails at once, everything is still served during the readiness delay, and new
 *   connections are refused (not queued) once it is over;</li>
 *   <li>in-flight requests, streaming ones included, finish; requests arriving on open kept-alive
 *   connections while draining are served with {@code Connection: close}, and the connection is
 *   then closed cleanly (never reset);</li>
 *   <li>a request whose head is still arriving when the drain finishes is answered with a 503
 *   carrying {@code Retry-After} and {@code Connection: close}, not reset (a head that has stalled
 *   holds no work and is closed);</li>
 *   <li>at the deadline the stuck request is force-closed and reported by path;</li>
 *   <li>the in-flight count is exact under concurrency and after client aborts.</li>
 * </ul>
 */
public abstract class DrainConformanceKit extends KitHarness {

    // ------------------------------------------------------------------ scenarios

    @Test
    void servesTheAppAndAnswersHealthBeforeAnyShutdown() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig());
        try (RawHttpConnection c = connect()) {
            c.send("GET", "/", null);
            Response hello = c.read();
            assertThat(hello.status()).isEqualTo(200);
            assertThat(hello.body()).isEqualTo("hello");
            assertThat(hello.connectionClose()).as("keep-alive while serving").isFalse();

            c.send("POST", "/", "12345");
            assertThat(c.read().body()).isEqualTo("hello 5");

            c.send("GET", "/healthz", null);
            Response ready = c.read();
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"UP\"");

            c.send("GET", "/readyz", null);
            assertThat(c.read().status()).isEqualTo(200);
            c.send("GET", "/livez", null);
            assertThat(c.read().status()).isEqualTo(200);

            c.send("HEAD", "/healthz", null);
            Response head = c.readHeadResponse();
            assertThat(head.status()).isEqualTo(200);

            c.send("POST", "/healthz", "x");
            Response post = c.read();
            assertThat(post.status()).isEqualTo(405);
            assertThat(post.header("Allow")).contains("GET");
        }
        assertThat(graceful.state()).isEqualTo(State.READY);
    }

    @Test
    void readinessFailsAtOnceWhileEverythingIsStillServedDuringTheReadinessDelay() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig().readinessDelay(Duration.ofSeconds(30)));
        try (RawHttpConnection keptAlive = connect()) {
            keptAlive.send("GET", "/", null);
            assertThat(keptAlive.read().connectionClose())
                    .as("keep-alive before the shutdown")
                    .isFalse();

            graceful.shutdown("kit");
            assertThat(get("/healthz").statusCode()).isEqualTo(503);
            assertThat(get("/readyz").statusCode()).isEqualTo(503);
            assertThat(get("/livez").statusCode()).isEqualTo(200);

            // Served normally, but asked to close: a client with a long-lived connection (a
            // pool behind a proxy that no longer routes here) reconnects and lands elsewhere.
            keptAlive.send("POST", "/", "abc");
            assertServedThenClosed(
                    keptAlive, "a request on a kept-alive connection during the readiness delay", "hello 3");
        }
        try (RawHttpConnection fresh = connect()) {
            fresh.send("GET", "/", null);
            assertServedThenClosed(fresh, "a new connection during the readiness delay", "hello");
        }
        assertThat(graceful.phase()).isEqualTo(Phase.READINESS_DELAY);
    }

    @Test
    void newConnectionsAreRefusedOnceTheReadinessDelayIsOver() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig().readinessDelay(Duration.ofMillis(500)));
        CompletableFuture<HttpResponse<String>> held = hold("h");
        awaitHeld("h");

        graceful.shutdown("kit");
        assertThat(get("/").statusCode()).as("still accepting during the delay").isEqualTo(200);
        awaitConnectionsRefused();
        assertThat(held).as("the in-flight request is still running").isNotDone();

        HttpResponse<String> response = releaseAndAwait("h", held);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("released h");
        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.inFlightAtDrainStart()).isEqualTo(1);
    }

    @Test
    void inFlightRequestsSurviveTheDrain() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig());
        CompletableFuture<HttpResponse<String>> get = hold("g");
        CompletableFuture<HttpResponse<String>> post = holdPost("p", "x".repeat(10_000));
        awaitHeld("g");
        awaitHeld("p");

        graceful.shutdown("kit");
        awaitConnectionsRefused();
        app.release("p");
        app.release("g");

        assertThat(get.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("released g");
        assertThat(post.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("released p 10000");
        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.drained()).isEqualTo(2);
        assertThat(report.abandoned()).isZero();
        assertThat(graceful.inFlight()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST"})
    void aRequestOnAnIdleKeptAliveConnectionIsServedWithConnectionCloseWhileDraining(String method) throws Exception {
        GracefulShutdown graceful = startWith(baseConfig());
        try (RawHttpConnection idle = connect()) {
            idle.send("GET", "/", null);
            assertThat(idle.read().connectionClose()).isFalse();
            // Keep the drain open with a request on another connection.
            CompletableFuture<HttpResponse<String>> held = hold("keep");
            awaitHeld("keep");

            graceful.shutdown("kit");
            awaitConnectionsRefused();

            idle.send(method, "/", "POST".equals(method) ? "hello" : null);
            assertServedThenClosed(
                    idle, "served, not refused, while draining", "POST".equals(method) ? "hello 5" : "hello");

            assertThat(releaseAndAwait("keep", held).statusCode()).isEqualTo(200);
        }
        assertThat(awaitReport().isClean()).isTrue();
    }

    @Test
    void healthAnswersOnOpenConnectionsWhileDraining() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig());
        try (RawHttpConnection a = connect();
                RawHttpConnection b = connect()) {
            a.send("GET", "/", null);
            a.read();
            b.send("GET", "/", null);
            b.read();
            hold("keep");
            awaitHeld("keep");
            graceful.shutdown("kit");
            awaitConnectionsRefused();

            a.send("GET", "/healthz", null);
            Response readiness = a.read();
            assertThat(readiness.status()).isEqualTo(503);
            assertThat(readiness.body()).contains("\"state\":\"DRAINING\"");
            b.send("GET", "/livez", null);
            assertThat(b.read().status()).isEqualTo(200);
        } finally {
            app.release("keep");
        }
        assertThat(awaitReport().isClean()).isTrue();
    }

    @Test
    void aCommittedStreamingResponseFinishesAndThenTheConnectionCloses() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig());
        // Keeps the drain open: the streamed connection must close after its response, not
        // merely at the final close.
        CompletableFuture<HttpResponse<String>> other = hold("other");
        awaitHeld("other");
        try (RawHttpConnection c = connect()) {
            c.send("GET", "/stream?id=s", null);
            Response head = c.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(c.readChunk()).isEqualTo(KitApp.STREAM_HEAD);
            awaitHeld("s");

            graceful.shutdown("kit");
            awaitConnectionsRefused();
            assertThat(graceful.phase()).isEqualTo(Phase.AWAITING_IN_FLIGHT);

            app.release("s");
            StringBuilder rest = new StringBuilder();
            String chunk;
            while ((chunk = c.readChunk()) != null) {
                rest.append(chunk);
            }
            assertThat(rest.toString()).isEqualTo(KitApp.STREAM_TAIL);
            assertThat(c.awaitClose(AT_MOST))
                    .as("closed after the streamed response")
                    .isEqualTo(Close.EOF);
            assertThat(graceful.phase())
                    .as("closed while the drain still waits for another request")
                    .isEqualTo(Phase.AWAITING_IN_FLIGHT);
        }
        assertThat(releaseAndAwait("other", other).statusCode()).isEqualTo(200);
        assertThat(awaitReport().isClean()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST"})
    void aResponseFinishedWhileDrainingCarriesConnectionCloseAndTheConnectionCloses(String method) throws Exception {
        GracefulShutdown graceful = startWith(baseConfig());
        CompletableFuture<HttpResponse<String>> other = hold("other");
        awaitHeld("other");
        try (RawHttpConnection c = connect()) {
            c.send(method, "/hold?id=h", "POST".equals(method) ? "abcd" : null);
            awaitHeld("h");
            graceful.shutdown("kit");
            awaitConnectionsRefused();

            app.release("h");
            assertServedThenClosed(
                    c,
                    "a response not committed when the drain began",
                    "POST".equals(method) ? "released h 4" : "released h");
            assertThat(graceful.phase()).isEqualTo(Phase.AWAITING_IN_FLIGHT);
        }
        assertThat(releaseAndAwait("other", other).statusCode()).isEqualTo(200);
        assertThat(awaitReport().isClean()).isTrue();
    }

    @Test
    void theDeadlineForceClosesAndReportsTheStuckRequest() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig().drainTimeout(Duration.ofSeconds(1)));
        CompletableFuture<HttpResponse<String>> stuck = hold("stuck");
        awaitHeld("stuck");

        graceful.shutdown("kit");
        ShutdownReport report = awaitReport();

        assertOneStuck(report, "/hold");
        soon().until(stuck::isDone);
        assertThat(stuck).as("the stuck request's connection was force-closed").isCompletedExceptionally();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GET", "POST"})
    void aRequestStillBeingReadWhenTheDrainEndsIsRefusedWith503NotReset(String method) throws Exception {
        // The readiness delay is time for the server to read the head's first lines: a server can only
        // wait for a head it has begun to read (bytes still in the kernel look like an idle connection).
        GracefulShutdown graceful =
                startWith(baseConfig().closeTimeout(Duration.ofSeconds(10)).readinessDelay(Duration.ofMillis(300)));
        try (RawHttpConnection slow = connect()) {
            // One whole exchange first, so that the server has surely accepted the connection: a
            // connection still in the kernel's accept queue when the listener closes is reset by
            // the kernel, a race of TCP itself that the readiness delay is there to make empty.
            slow.send("GET", "/", null);
            assertThat(slow.read().status()).isEqualTo(200);
            slow.sendRaw(method + " / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            graceful.shutdown("kit");
            // A client still sending its head, a header line every 10 ms through the delay until the
            // final close has begun: it is waited for. (One that goes quiet mid-head is closed at the final close:
            // it holds no work.)
            AtomicInteger line = new AtomicInteger();
            soon().pollInSameThread().until(() -> {
                slow.sendRaw("X-Still-Sending: " + line.incrementAndGet() + "\r\n");
                return graceful.phase() == Phase.CLOSING_IDLE;
            });

            // A POST's body arrives with the end of its headers and is never read by the
            // application: the refusal must still reach the client, not a reset.
            slow.sendRaw("POST".equals(method) ? "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello" : "\r\n");
            Response r = slow.read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isNotNull();
            assertThat(r.connectionClose()).isTrue();
            assertThat(slow.awaitClose(AT_MOST)).isEqualTo(Close.EOF);
        }
        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.refused()).isEqualTo(1);
    }

    @Test
    void aClientThatDisconnectsMidRequestIsCountedOut() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig());
        RawHttpConnection c = connect();
        c.send("GET", "/hold?id=gone", null);
        awaitHeld("gone");
        c.close();
        app.release("gone");
        soon().until(() -> graceful.inFlight() == 0);

        graceful.shutdown("kit");
        ShutdownReport report = awaitReport();
        assertThat(report.isClean()).isTrue();
        assertThat(report.abandoned()).isZero();
    }

    @Test
    void manyConcurrentRequestsDrainExactly() throws Exception {
        GracefulShutdown graceful = startWith(baseConfig().drainTimeout(Duration.ofSeconds(30)));
        int n = 200;
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "c" + i;
            ids.add(id);
            responses.add(i % 3 == 0 ? holdPost(id, "body-" + i) : hold(id));
        }
        awaitAllHeld(ids);
        InFlightFloor floor = InFlightFloor.watch(graceful);

        graceful.shutdown("kit");
        awaitConnectionsRefused();
        Collections.shuffle(ids, ThreadLocalRandom.current());
        for (String id : ids) {
            app.release(id);
        }
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = responses.get(i).get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("released c" + i);
        }
        ShutdownReport report = awaitReport();
        floor.close();
        assertThat(report.isClean()).isTrue();
        assertThat(report.drained()).isEqualTo(n);
        assertThat(graceful.inFlight()).isZero();
        assertThat(floor.lowest()).as("the in-flight count never went negative").isGreaterThanOrEqualTo(0);
    }
}
