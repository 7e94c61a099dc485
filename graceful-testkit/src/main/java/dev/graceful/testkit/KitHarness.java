package dev.graceful.testkit;

import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;

/**
 * The server-under-test plumbing of {@link DrainConformanceKit} and {@link LongLivedConformanceKit}: starts the adapter's server around
 * a fresh coordinator, talks to it, waits for it, and tears it down after each scenario. An
 * adapter's own integration tests may use it too, by extending the kit.
 */
public abstract class KitHarness {

    /** Generous bound for anything asynchronous in the scenarios. */
    protected static final Duration AT_MOST = KitClient.TIMEOUT;

    /** The application the server under test must serve. */
    protected final KitApp app = new KitApp();

    private final KitClient client = new KitClient(this::port);
    private final List<AutoCloseable> toClose = Collections.synchronizedList(new ArrayList<>());
    private GracefulShutdown graceful;
    private KitServer server;

    KitHarness() {}

    /**
     * Starts the server under test.
     *
     * @param graceful the coordinator to wire the adapter to: its request tracking must use
     *                 {@code graceful}'s trackers, its participant must be registered on it, and
     *                 its health endpoints must report it
     * @param app      the application to serve on the application port (see {@link KitApp})
     * @return the running server, on 127.0.0.1 and an ephemeral port, with a listen backlog of at
     *         least 256 (one scenario opens 200 connections at once; the JDK's default backlog of 50
     *         would have the kernel drop connection attempts and the client retry them for seconds)
     * @throws Exception when the server cannot start
     */
    protected abstract KitServer start(GracefulShutdown graceful, KitApp app) throws Exception;

    /** The configuration every scenario starts from; scenarios adjust the durations they test. */
    protected GracefulConfig.Builder baseConfig() {
        return GracefulConfig.builder()
                .readinessDelay(Duration.ZERO)
                .drainTimeout(Duration.ofSeconds(10))
                .closeTimeout(Duration.ofSeconds(5));
    }

    /** Creates the coordinator, starts the server, marks it ready. */
    protected final GracefulShutdown startWith(GracefulConfig.Builder config) throws Exception {
        graceful = GracefulShutdown.create(config.build());
        server = start(graceful, app);
        graceful.markReady();
        return graceful;
    }

    /** The coordinator of the running scenario. */
    protected final GracefulShutdown graceful() {
        return graceful;
    }

    /** The application port of the running scenario. */
    protected final int port() {
        return server.port();
    }

    /** Opens a raw connection to the server, closed after the scenario. */
    protected final RawHttpConnection connect() throws IOException {
        RawHttpConnection c = RawHttpConnection.open(port());
        toClose.add(c);
        return c;
    }

    /** Opens a WebSocket to {@code /ws} with the JDK's client (which answers a Close), closed after the scenario. */
    protected final KitWebSocket webSocket() throws IOException {
        KitWebSocket ws = KitWebSocket.open(port());
        toClose.add(ws);
        return ws;
    }

    /** Opens a WebSocket to {@code /ws} over a plain socket (which answers nothing), closed after the scenario. */
    protected final RawWebSocket rawWebSocket() throws IOException {
        RawWebSocket ws = RawWebSocket.open(port(), "/ws");
        toClose.add(ws);
        return ws;
    }

    /** Starts {@code GET /events} on a new connection, closed after the scenario. */
    protected final KitEventStream events() throws IOException {
        KitEventStream events = KitEventStream.open(port(), "/events", "kit");
        toClose.add(events);
        return events;
    }

    /** A GET on a pooled connection of the JDK client. */
    protected final HttpResponse<String> get(String path) throws Exception {
        return client.get(path);
    }

    /** Starts {@code GET /hold?id=...}. */
    protected final CompletableFuture<HttpResponse<String>> hold(String id) {
        return client.getAsync("/hold?id=" + id);
    }

    /** Starts {@code POST /hold?id=...} with a body. */
    protected final CompletableFuture<HttpResponse<String>> holdPost(String id, String body) {
        return client.postAsync("/hold?id=" + id, body);
    }

    /** Releases the held request {@code id} and waits for its response. */
    protected final HttpResponse<String> releaseAndAwait(String id, CompletableFuture<HttpResponse<String>> response)
            throws Exception {
        app.release(id);
        return response.get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
    }

    /** Waits until the held request {@code id} reached the application. */
    protected final void awaitHeld(String id) {
        soon().until(() -> app.isHeld(id));
    }

    /** Waits until every held request in {@code ids} reached the application. */
    protected final void awaitAllHeld(Collection<String> ids) {
        soon().until(() -> ids.stream().allMatch(app::isHeld));
    }

    /**
     * An Awaitility wait bounded by {@link #AT_MOST} that checks at once and then every 10 ms
     * (Awaitility's default first waits 100 ms, which adds up over a scenario).
     */
    protected static ConditionFactory soon() {
        return await().atMost(AT_MOST).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    /** Waits until a new TCP connection to the application port is refused (not accepted, not queued). */
    protected final void awaitConnectionsRefused() {
        client.awaitRefused();
    }

    /** Waits for the end of the shutdown sequence. */
    protected final ShutdownReport awaitReport() {
        await().atMost(AT_MOST.multipliedBy(3))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> graceful.termination().isDone());
        return graceful.termination().join();
    }

    @AfterEach
    final void stopServer() throws Exception {
        app.releaseAll();
        synchronized (toClose) {
            for (AutoCloseable c : toClose) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // best effort
                }
            }
            toClose.clear();
        }
        if (server != null) {
            server.close();
        }
    }
}
