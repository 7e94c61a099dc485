package dev.graceful.testkit;

import dev.graceful.GracefulShutdown;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches a coordinator's in-flight count from a thread of its own until the shutdown ends, and
 * keeps the lowest value seen: a count that ever goes negative was decremented twice somewhere.
 */
public final class InFlightFloor implements AutoCloseable {

    private final AtomicLong lowest = new AtomicLong();
    private final Thread watcher;

    private InFlightFloor(GracefulShutdown graceful) {
        watcher = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()
                            && !graceful.termination().isDone()) {
                        lowest.accumulateAndGet(graceful.inFlight(), Math::min);
                    }
                },
                "in-flight-floor");
        watcher.setDaemon(true);
    }

    /** Starts watching {@code graceful}; the watch ends with its shutdown or with {@link #close()}. */
    public static InFlightFloor watch(GracefulShutdown graceful) {
        InFlightFloor floor = new InFlightFloor(graceful);
        floor.watcher.start();
        return floor;
    }

    /** The lowest in-flight count seen so far. */
    public long lowest() {
        return lowest.get();
    }

    /** Stops watching and waits (up to 5 s) for the watcher to end. */
    @Override
    public void close() throws InterruptedException {
        watcher.interrupt();
        watcher.join(5000);
    }
}
