package dev.graceful;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every readiness check runs under {@link GracefulConfig#readinessCheckTimeout()}. */
class ReadinessCheckLimitTest {

    private static final Duration LIMIT = Duration.ofMillis(300);

    private final GracefulShutdown graceful = GracefulShutdown.create(
            GracefulConfig.builder().readinessCheckTimeout(LIMIT).build());
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger calls = new AtomicInteger();
    private final ExecutorService probes = Executors.newFixedThreadPool(4);

    @AfterEach
    void releaseHungChecks() {
        release.countDown();
        probes.shutdownNow();
    }

    /** A check that hangs until the test releases it, counting its calls. */
    static BooleanSupplier heldUntil(CountDownLatch release, AtomicInteger calls) {
        return () -> {
            calls.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        };
    }

    private BooleanSupplier hanging() {
        return heldUntil(release, calls);
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Test
    void aHungCheckFailsWithinItsLimitThenAtOnceAndIsCalledOnceUntilItReturns() {
        graceful.addReadinessCheck("db", hanging());
        graceful.markReady();

        long start = System.nanoTime();
        Map<String, String> first = graceful.readinessFailures();
        assertThat(since(start)).isBetween(LIMIT, LIMIT.plusSeconds(1));
        assertThat(first).containsExactly(entry("db", "timed out after 300ms"));

        for (int i = 0; i < 5; i++) {
            long again = System.nanoTime();
            assertThat(graceful.readinessFailures().get("db"))
                    .startsWith("still running after ")
                    .endsWith(" (limit 300ms)");
            assertThat(graceful.isReady()).isFalse();
            assertThat(since(again)).isLessThan(LIMIT);
        }
        assertThat(graceful.failingReadinessChecks()).containsExactly("db");
        assertThat(calls).hasValue(1);

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(graceful::isReady);
        assertThat(graceful.readinessFailures()).isEmpty();
        assertThat(calls.get()).isGreaterThan(1);
    }

    @Test
    void concurrentProbesShareTheOneEvaluationInFlight() throws Exception {
        graceful.addReadinessCheck("db", hanging());
        graceful.markReady();
        List<CompletableFuture<Map<String, String>>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(CompletableFuture.supplyAsync(graceful::readinessFailures, probes));
        }
        for (CompletableFuture<Map<String, String>> answer : answers) {
            assertThat(answer.get().get("db")).matches("timed out after 300ms|still running after .*");
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void aProbeWaitsOneLimitForAllItsChecksNotOneEach() {
        graceful.addReadinessCheck("db", hanging());
        graceful.addReadinessCheck("cache", hanging());
        graceful.addReadinessCheck("queue", hanging());
        graceful.markReady();
        long start = System.nanoTime();
        assertThat(graceful.failingReadinessChecks()).containsExactly("db", "cache", "queue");
        assertThat(since(start)).isLessThan(LIMIT.multipliedBy(3));
        assertThat(calls).hasValue(3);
    }

    @Test
    void aThrowingCheckFailsWithItsExceptionsMessage() {
        graceful.addReadinessCheck("cache", () -> {
            throw new IllegalStateException("pool closed");
        });
        graceful.addReadinessCheck("db", () -> false);
        graceful.addReadinessCheck("disk", () -> true);
        graceful.markReady();

        assertThat(graceful.readinessFailures())
                .containsExactly(
                        entry("cache", "threw IllegalStateException: pool closed"), entry("db", "returned false"));
        HealthEndpoint.Response r = HealthEndpoint.of(graceful).respond("GET", "/readyz");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body())
                .endsWith(",\"failing\":[\"cache\",\"db\"],\"reasons\":{\"cache\":\"threw IllegalStateException: "
                        + "pool closed\",\"db\":\"returned false\"}}");
    }

    @Test
    void aQuickCheckIsAskedAfreshOnEveryProbe() {
        graceful.addReadinessCheck("db", () -> calls.incrementAndGet() > 0);
        graceful.markReady();
        for (int i = 0; i < 3; i++) {
            assertThat(graceful.isReady()).isTrue();
        }
        assertThat(graceful.readinessFailures()).isEmpty();
        assertThat(calls).hasValue(4);
    }
}
