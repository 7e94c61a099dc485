package dev.graceful.benchmarks.tracker;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The design graceful's core rejected (why: {@code docs/BENCHMARKS.md}, group 1), modelled at its best so the
 * comparison is fair: count and "closed" bit in one word; admission by a CAS loop, exit by one decrement.
 */
final class SingleWordGate {

    /** The sign bit: once set, the word is negative and admission fails. */
    private static final long CLOSED = Long.MIN_VALUE;

    private final AtomicLong word = new AtomicLong();

    boolean tryEnter() {
        for (; ; ) {
            long v = word.get();
            if (v < 0) {
                return false;
            }
            if (word.compareAndSet(v, v + 1)) {
                return true;
            }
        }
    }

    void exit() {
        if (word.decrementAndGet() == CLOSED) {
            // Closed and now empty: this is where the drain would be woken. Never reached here
            // (nothing closes the gate in the benchmark), but the comparison is part of the cost.
            wakeDrain();
        }
    }

    long inFlight() {
        return word.get() & ~CLOSED;
    }

    private static void wakeDrain() {
        throw new IllegalStateException("the benchmark never closes the gate");
    }
}
