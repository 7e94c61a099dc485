package dev.graceful.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CountdownTest {

    @Test
    void completesOnceEveryFutureAddedHasWhateverItsOutcome() {
        Countdown countdown = new Countdown();
        Promise<Void> succeeds = new DefaultPromise<>(ImmediateEventExecutor.INSTANCE);
        Promise<Object> fails = new DefaultPromise<>(ImmediateEventExecutor.INSTANCE);
        countdown.add(succeeds);
        countdown.add(fails);

        CompletableFuture<Void> done = countdown.seal();
        assertThat(done).isNotDone();
        succeeds.setSuccess(null);
        assertThat(done).isNotDone();
        fails.setFailure(new IllegalStateException("event loop refused"));
        assertThat(done).isCompleted();
    }

    @Test
    void futuresDoneBeforeTheSealDoNotCompleteItEarly() {
        Countdown countdown = new Countdown();
        Promise<Void> first = new DefaultPromise<>(ImmediateEventExecutor.INSTANCE);
        first.setSuccess(null);
        countdown.add(first);
        Promise<Void> second = new DefaultPromise<>(ImmediateEventExecutor.INSTANCE);
        countdown.add(second);

        CompletableFuture<Void> done = countdown.seal();
        assertThat(done).isNotDone();
        second.setSuccess(null);
        assertThat(done).isCompleted();
    }

    @Test
    void withNothingAddedTheSealCompletesAtOnce() {
        assertThat(new Countdown().seal()).isCompleted();
    }
}
