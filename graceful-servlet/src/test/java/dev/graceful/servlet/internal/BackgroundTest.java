package dev.graceful.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BackgroundTest {

    @Test
    void runsTheStepOnADaemonThreadOfItsNameAndOnlyOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CountDownLatch release = new CountDownLatch(1);
        Background background = new Background("graceful-test-step", () -> {
            runs.incrementAndGet();
            ranOn.set(Thread.currentThread());
            release.await();
        });

        CompletableFuture<Void> first = background.start();
        CompletableFuture<Void> second = background.start();
        assertThat(second).isSameAs(first);
        assertThat(first).isNotDone();
        release.countDown();
        first.get(10, TimeUnit.SECONDS);

        assertThat(runs).hasValue(1);
        assertThat(ranOn.get().getName()).isEqualTo("graceful-test-step");
        assertThat(ranOn.get().isDaemon()).isTrue();
        assertThat(ranOn.get()).isNotSameAs(Thread.currentThread());
    }

    @Test
    void aStepThatThrowsCompletesTheFutureWithItsException() {
        IllegalStateException failure = new IllegalStateException("server would not stop");
        Background background = new Background("graceful-test-failing", () -> {
            throw failure;
        });

        assertThatThrownBy(() -> background.start().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCause(failure);
    }
}
