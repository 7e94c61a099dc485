package dev.graceful;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HealthServerIT {

    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> call(HealthServer server, String method, String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersProbesOverRealHttpAndKeepsAnsweringWhileDraining() throws Exception {
        GracefulShutdown g = GracefulShutdown.create(
                GracefulConfig.builder().readinessDelay(Duration.ofSeconds(30)).build());
        try (HealthServer server = HealthServer.start(g, 0)) {
            assertThat(call(server, "GET", "/healthz").statusCode()).isEqualTo(503);
            g.markReady();
            HttpResponse<String> ready = call(server, "GET", "/healthz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(ready.headers().firstValue("Cache-Control")).contains("no-store");
            assertThat(ready.body()).contains("\"status\":\"UP\"");

            HttpResponse<String> head = call(server, "HEAD", "/readyz");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();

            HttpResponse<String> post = call(server, "POST", "/healthz");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
            assertThat(call(server, "GET", "/nope").statusCode()).isEqualTo(404);
            assertThat(g.state()).isEqualTo(State.READY);

            g.shutdown("test");
            assertThat(call(server, "GET", "/healthz").statusCode()).isEqualTo(503);
            assertThat(call(server, "GET", "/livez").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void reportsItsProbersSoTheReadinessDelayEndsOnceTheyHaveSeenItFail() throws Exception {
        GracefulShutdown g = GracefulShutdown.create(GracefulConfig.builder()
                .readinessDelay(Duration.ofSeconds(30))
                .readinessProbes(2)
                .build());
        g.markReady();
        try (HealthServer server = HealthServer.start(g, 0)) {
            assertThat(call(server, "GET", "/healthz").statusCode()).isEqualTo(200);
            g.shutdown("test");
            assertThat(call(server, "GET", "/livez").statusCode()).isEqualTo(200);
            assertThat(call(server, "HEAD", "/readyz").statusCode()).isEqualTo(503);
            assertThat(g.phase()).isEqualTo(Phase.READINESS_DELAY);
            assertThat(call(server, "GET", "/healthz").statusCode()).isEqualTo(503);

            assertThat(g.termination()
                            .get(10, java.util.concurrent.TimeUnit.SECONDS)
                            .readinessDelay())
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aReadinessCheckHeldByTheApplicationDoesNotBlockLiveness() throws Exception {
        // a limit longer than the test: liveness must not wait for readiness, limit or not
        GracefulShutdown g = GracefulShutdown.create(GracefulConfig.builder()
                .readinessCheckTimeout(Duration.ofMinutes(1))
                .build());
        CountDownLatch release = new CountDownLatch(1);
        g.addReadinessCheck("slow", ReadinessCheckLimitTest.heldUntil(release, new AtomicInteger()));
        g.markReady();
        try (HealthServer server = HealthServer.start(g, 0)) {
            var pending = client.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(call(server, "GET", "/livez").statusCode()).isEqualTo(200);
            release.countDown();
            assertThat(pending.get().statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aHangingReadinessCheckIsA503NamingItWithinItsLimit() throws Exception {
        Duration limit = Duration.ofMillis(300);
        GracefulShutdown g = GracefulShutdown.create(
                GracefulConfig.builder().readinessCheckTimeout(limit).build());
        CountDownLatch release = new CountDownLatch(1);
        g.addReadinessCheck("db", ReadinessCheckLimitTest.heldUntil(release, new AtomicInteger()));
        g.addReadinessCheck("cache", () -> {
            throw new IllegalStateException("pool closed");
        });
        g.markReady();
        try (HealthServer server = HealthServer.start(g, 0)) {
            long start = System.nanoTime();
            HttpResponse<String> r = call(server, "GET", "/readyz");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body())
                    .contains("\"failing\":[\"db\",\"cache\"]")
                    .contains("\"reasons\":{\"db\":\"timed out after 300ms\","
                            + "\"cache\":\"threw IllegalStateException: pool closed\"}");
            assertThat(took).isBetween(limit, limit.plusSeconds(1));
            assertThat(call(server, "GET", "/livez").statusCode()).isEqualTo(200);
        } finally {
            release.countDown();
        }
    }

    @Test
    void listensOnEveryInterfaceByDefaultOrOnTheAddressGiven() throws Exception {
        GracefulShutdown g = GracefulShutdown.create();
        try (HealthServer everywhere = HealthServer.start(g, 0);
                HealthServer loopback =
                        HealthServer.start(g, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertThat(everywhere.address().getAddress().isAnyLocalAddress()).isTrue();
            assertThat(loopback.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(call(loopback, "GET", "/livez").statusCode()).isEqualTo(200);
        }
    }
}
