package dev.graceful.servlet;

import static dev.graceful.servlet.Drains.AT_MOST;
import static dev.graceful.servlet.Drains.awaitReport;
import static dev.graceful.servlet.Drains.shutDownCleanlyWithAnIdleConnection;
import static dev.graceful.servlet.Drains.soon;
import static dev.graceful.testkit.DrainAssertions.assertServedThenClosed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.ShutdownReport;
import dev.graceful.servlet.Servers.Container;
import dev.graceful.testkit.KitClient;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.RawHttpConnection;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Servlet-specific drain behaviour on real Jetty and Tomcat: synchronous and asynchronous
 * requests (every way an asynchronous cycle can end) are counted out exactly once, when their
 * response is finished; the deadline force-closes and reports; nothing is left in a selector.
 */
class ServletDrainIT {

    private final ModesServlet servlet = new ModesServlet();
    private final KitClient client = new KitClient(() -> this.server.port(), AT_MOST);
    private GracefulShutdown graceful;
    private KitServer server;

    private void start(Container container, GracefulConfig.Builder config) throws Exception {
        graceful = GracefulShutdown.create(
                config.closeTimeout(Duration.ofSeconds(5)).build());
        server = Servers.start(container, graceful, Map.of("/m", servlet));
        graceful.markReady();
    }

    @AfterEach
    void stop() throws Exception {
        servlet.releaseAll();
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void syncAndAsyncRequestsInFlightSurviveTheDrain(Container container) throws Exception {
        start(container, GracefulConfig.builder().drainTimeout(Duration.ofSeconds(15)));
        List<String> modes = List.of("sync", "complete", "dispatch", "redispatch");
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (String mode : modes) {
            responses.add(send(mode, mode, null));
        }
        soon().until(() -> modes.stream().allMatch(servlet::isStarted));
        assertThat(graceful.inFlight()).isEqualTo(4);

        graceful.shutdown("test");
        client.awaitRefused();
        assertThat(graceful.inFlight())
                .as("async requests stay in flight after their first dispatch returned")
                .isEqualTo(4);
        modes.forEach(servlet::release);

        assertThat(responses)
                .extracting(r -> r.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).body())
                .containsExactly("sync", "complete", "dispatched", "redispatched");
        ShutdownReport report = awaitReport(graceful);
        assertThat(report.isClean()).isTrue();
        assertThat(report.inFlightAtDrainStart()).isEqualTo(4);
        assertThat(report.drained()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void everyEndOfAnAsynchronousCycleCountsTheRequestOutOnce(Container container) throws Exception {
        start(container, GracefulConfig.builder());
        Map<String, Integer> statusByMode =
                Map.of("complete", 200, "dispatch", 200, "redispatch", 200, "error", 500, "timeout", 500);
        for (Map.Entry<String, Integer> e : statusByMode.entrySet()) {
            String mode = e.getKey();
            CompletableFuture<HttpResponse<String>> response = send(mode, "one-" + mode, null);
            soon().until(() -> servlet.isStarted("one-" + mode));
            if (!"timeout".equals(mode)) {
                // A whole round trip on another connection: the first dispatch has long returned.
                assertThat(client.get("/healthz").statusCode()).isEqualTo(200);
                assertThat(graceful.inFlight())
                        .as("%s: in flight until the response is finished", mode)
                        .isEqualTo(1);
                servlet.release("one-" + mode);
            }
            assertThat(response.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).statusCode())
                    .as(mode)
                    .isEqualTo(e.getValue());
            soon().until(() -> graceful.inFlight() == 0);
        }
        ShutdownReport report = graceful.shutdown("test").get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.isClean()).isTrue();
        assertThat(graceful.inFlight()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aClientAbortOfAnAsynchronousRequestCountsItOut(Container container) throws Exception {
        start(container, GracefulConfig.builder());
        for (String mode : List.of("complete", "dispatch", "timeout")) {
            String id = "abort-" + mode;
            try (RawHttpConnection c = RawHttpConnection.open(server.port())) {
                c.send("GET", "/m?mode=" + mode + "&id=" + id, null);
                soon().until(() -> servlet.isStarted(id));
            }
            servlet.release(id);
            soon().until(() -> graceful.inFlight() == 0);
        }
        assertThat(graceful.shutdown("test")
                        .get(AT_MOST.toSeconds(), TimeUnit.SECONDS)
                        .isClean())
                .isTrue();
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void aRandomizedMixOfThousandsOfAsyncRequestsEndsAtExactlyZero(Container container) throws Exception {
        start(container, GracefulConfig.builder());
        long seed = System.nanoTime();
        Random random = new Random(seed);
        // Timeouts are rare: Tomcat checks async timeouts once a second.
        String[] modes = {
            "complete",
            "complete",
            "complete",
            "complete",
            "dispatch",
            "dispatch",
            "redispatch",
            "redispatch",
            "error",
            "error",
            "abort",
            "abort",
            "abort",
            "abort",
            "abort",
            "timeout"
        };
        int n = 2000;
        Semaphore window = new Semaphore(64);
        AtomicLong lowest = new AtomicLong();
        java.util.Queue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        ExecutorService aborters = Executors.newFixedThreadPool(4);
        List<CompletableFuture<?>> all = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                String mode = modes[random.nextInt(modes.length)];
                String after = Integer.toString(random.nextInt(2000));
                window.acquire();
                CompletableFuture<?> done;
                if ("abort".equals(mode)) {
                    String real = random.nextBoolean() ? "complete" : "dispatch";
                    String target = "/m?mode=" + real + "&id=r" + i + "&after=" + after;
                    done = CompletableFuture.runAsync(() -> abort(target), aborters);
                } else {
                    int expected = "error".equals(mode) || "timeout".equals(mode) ? 500 : 200;
                    String id = "r" + i;
                    String what = mode + " " + id + " after " + after + "us";
                    done = send(mode, id, after).handle((r, e) -> {
                        if (e != null || r.statusCode() != expected) {
                            failures.add(what
                                    + (servlet.isStarted(id)
                                            ? " (reached the servlet)"
                                            : " (never reached the servlet)")
                                    + ": " + (e != null ? e : r.statusCode()));
                        }
                        return null;
                    });
                }
                all.add(done.whenComplete((v, e) -> {
                    lowest.accumulateAndGet(graceful.inFlight(), Math::min);
                    window.release();
                }));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
        } finally {
            aborters.shutdownNow();
        }
        assertThat(failures).as("seed %d", seed).isEmpty();
        await().atMost(AT_MOST).pollInterval(Duration.ofMillis(10)).until(() -> graceful.inFlight() == 0);
        assertThat(lowest.get()).as("never negative (seed %d)", seed).isGreaterThanOrEqualTo(0);
        assertThat(all).allMatch(f -> !f.isCompletedExceptionally());
        ShutdownReport report = graceful.shutdown("test").get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.isClean()).isTrue();
        assertThat(report.abandoned()).isZero();
        assertThat(graceful.inFlight()).as("exactly zero (seed %d)", seed).isZero();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "JETTY, answered",
        "JETTY, answered-async",
        "JETTY_HANDLER, answered",
        "JETTY_HANDLER, answered-async",
        "TOMCAT, answered",
        "TOMCAT, answered-async"
    })
    void aConnectionWhoseResponseTheClientHadBeforeTheDrainServesTheNextRequestSentOnIt(
            Container container, String mode) throws Exception {
        start(container, GracefulConfig.builder().drainTimeout(Duration.ofSeconds(15)));
        CompletableFuture<HttpResponse<String>> keep = send("sync", "keep", null);
        soon().until(() -> servlet.isStarted("keep"));
        try (RawHttpConnection c = RawHttpConnection.open(server.port())) {
            c.send("GET", "/m?mode=" + mode + "&id=answered", null);
            RawHttpConnection.Response first = c.read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("answered");
            assertThat(first.connectionClose())
                    .as("kept alive: sent before the drain")
                    .isFalse();
            // The client may reuse the connection: it has the whole response.
            c.sendRaw("GET /m?mode=sync&id=next&after=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n");

            graceful.shutdown("test");
            client.awaitRefused();
            // The container finishes the first exchange only now, while draining.
            servlet.release("answered");
            c.sendRaw("\r\n");
            assertServedThenClosed(c, "the next request, served while draining, not cut off", "sync");
        }
        servlet.release("keep");
        assertThat(keep.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        ShutdownReport report = awaitReport(graceful);
        assertThat(report.isClean()).isTrue();
        assertThat(report.drained()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void theDeadlineForceClosesStuckSyncAndAsyncRequestsAndReportsThem(Container container) throws Exception {
        start(container, GracefulConfig.builder().drainTimeout(Duration.ofMillis(500)));
        CompletableFuture<HttpResponse<String>> stuckSync = send("sync", "stuck-sync", null);
        CompletableFuture<HttpResponse<String>> stuckAsync = send("complete", "stuck-async", null);
        soon().until(() -> servlet.isStarted("stuck-sync") && servlet.isStarted("stuck-async"));

        ShutdownReport report = graceful.shutdown("test").get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

        assertThat(report.drainTimedOut()).isTrue();
        assertThat(report.abandoned()).isEqualTo(2);
        assertThat(report.stuck()).extracting(InFlightWork::description).containsOnly("GET /m");
        soon().until(() -> stuckSync.isDone() && stuckAsync.isDone());
        assertThat(stuckSync).as("force-closed").isCompletedExceptionally();
        assertThat(stuckAsync).as("force-closed").isCompletedExceptionally();
        assertRefused();
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void noThreadIsLeftInASelectorAfterACleanDrain(Container container) throws Exception {
        start(container, GracefulConfig.builder());
        shutDownCleanlyWithAnIdleConnection(graceful, server.port());
        // HotSpot waits up to 300 ms at exit for threads in native code such as epoll_wait.
        soon().untilAsserted(() -> assertThat(threadsInASelector()).isEmpty());
    }

    private static List<String> threadsInASelector() {
        List<String> found = new ArrayList<>();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            boolean selecting = Arrays.stream(stack)
                    .anyMatch(f -> f.getClassName().contains("EPoll")
                            || f.getClassName().endsWith("SelectorImpl")
                            || f.getMethodName().equals("accept0"));
            // The test's own HTTP client has a selector thread of its own.
            if (selecting && !thread.getName().startsWith("HttpClient")) {
                found.add(thread.getName());
            }
        });
        return found;
    }

    // ------------------------------------------------------------------ helpers

    private CompletableFuture<HttpResponse<String>> send(String mode, String id, String after) {
        String target = "/m?mode=" + mode + "&id=" + id + (after == null ? "" : "&after=" + after);
        return client.getAsync(target);
    }

    private void abort(String target) {
        try (RawHttpConnection c = RawHttpConnection.open(server.port())) {
            c.send("GET", target, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertRefused() {
        assertThat(client.refused()).as("new connections refused").isTrue();
    }
}
