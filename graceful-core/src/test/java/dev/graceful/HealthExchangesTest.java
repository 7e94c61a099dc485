package dev.graceful;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HealthExchangesTest {

    @ParameterizedTest(name = "virtual when available: {0}")
    @ValueSource(booleans = {true, false})
    void anExchangeOverItsLimitIsInterruptedAndOneWithinItIsNot(boolean virtualWhenAvailable) throws Exception {
        try (HealthExchanges exchanges = new HealthExchanges(Duration.ofMillis(200), virtualWhenAvailable)) {
            assertThat(exchanges.virtual())
                    .isEqualTo(virtualWhenAvailable && Runtime.version().feature() >= 21);

            CompletableFuture<String> quick = new CompletableFuture<>();
            exchanges.execute(() -> quick.complete(Thread.currentThread().getName()));
            assertThat(quick.get(5, TimeUnit.SECONDS)).startsWith("graceful-health-");

            CompletableFuture<Long> cut = new CompletableFuture<>();
            long start = System.nanoTime();
            exchanges.execute(() -> {
                try {
                    new CountDownLatch(1).await(10, TimeUnit.SECONDS);
                    cut.complete(-1L);
                } catch (InterruptedException e) {
                    cut.complete(System.nanoTime() - start);
                }
            });
            assertThat(Duration.ofNanos(cut.get(5, TimeUnit.SECONDS)))
                    .isBetween(Duration.ofMillis(200), Duration.ofSeconds(2));

            // enough exchanges to reuse every platform thread, the one that was cut included
            for (int i = 0; i <= HealthExchanges.PLATFORM_THREADS; i++) {
                CompletableFuture<Boolean> after = new CompletableFuture<>();
                exchanges.execute(() -> after.complete(Thread.currentThread().isInterrupted()));
                assertThat(after.get(5, TimeUnit.SECONDS)).isFalse();
            }
        }
    }
}
