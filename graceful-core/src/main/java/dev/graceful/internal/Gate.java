package dev.graceful.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The admission gate shared by every tracker of one coordinator, and the drain's zero detector.
 *
 * <h2>Why two monotonic counters per tracker</h2>
 * Each tracker counts {@code entered} and {@code exited} in two {@link java.util.concurrent.atomic.LongAdder}s
 * rather than one up-and-down counter. A striped counter's sum is not an atomic snapshot: with a
 * single adder, an enter on one cell and an exit on another can make a concurrent sum read
 * zero while a third unit is still in flight, and the drain would finish under it. With two
 * counters that only grow, reading every {@code exited} first and every {@code entered} second
 * yields {@code entered(t) - exited(t)} for some instant {@code t} or more: never less than the
 * true in-flight count at that instant, so a zero read is a true zero. (A refused entry is
 * balanced by a third monotonic counter, read together with {@code exited}.)
 *
 * <h2>Why enter increments before it checks the gate</h2>
 * Admission follows the order Jetty's {@code GracefulHandler} uses: count first, then check the
 * gate (and back out when closed). The drain does the mirror image: close the gate, then read the
 * counts. Both sides write, then read the other's variable (Dekker's pattern, all through
 * volatile or CAS accesses), so at least one sees the other: either the drain counts the late
 * unit and waits for it, or the unit sees the closed gate and backs out. A unit is never
 * admitted and then cut off.
 */
public final class Gate {

    /** Admitting; exits do not look for zero (the hot path stays one volatile read). */
    public static final int OPEN = 0;
    /** Admitting; every exit checks for zero and wakes the drain. */
    public static final int DRAINING = 1;
    /** Refusing; every exit checks for zero. */
    public static final int CLOSED = 2;

    private final List<DefaultTracker> trackers = new CopyOnWriteArrayList<>();
    private volatile int state = OPEN;
    private volatile CompletableFuture<Void> zero;

    int state() {
        return state;
    }

    void add(DefaultTracker tracker) {
        trackers.add(tracker);
    }

    /**
     * The in-flight count over every tracker: all exits read before all entries, so the result
     * is never below the true count at some instant during the read (see the class comment).
     */
    public long inFlight() {
        long exited = 0;
        for (DefaultTracker t : trackers) {
            exited += t.exitedSum() + t.refused();
        }
        long entered = 0;
        for (DefaultTracker t : trackers) {
            entered += t.enteredSum();
        }
        return entered - exited;
    }

    /** Total admitted units counted out so far, over every tracker (refusals are not exits). */
    public long exited() {
        long exited = 0;
        for (DefaultTracker t : trackers) {
            exited += t.exitedSum();
        }
        return exited;
    }

    /** Total refusals so far, over every tracker. */
    public long refused() {
        long refused = 0;
        for (DefaultTracker t : trackers) {
            refused += t.refused();
        }
        return refused;
    }

    /** Called by a tracker after counting a unit out while the gate is not {@link #OPEN}. */
    void exitedWhileDraining() {
        CompletableFuture<Void> z = zero;
        if (z != null && !z.isDone() && inFlight() == 0) {
            z.complete(null);
        }
    }

    /**
     * Moves the gate to {@code newState} and returns a future that completes when the in-flight
     * count is (or becomes) zero.
     *
     * @param newState {@link #DRAINING} or {@link #CLOSED}
     * @return completes at zero
     */
    public CompletableFuture<Void> awaitZero(int newState) {
        CompletableFuture<Void> z = new CompletableFuture<>();
        // The future is published before the state so that an exit which sees the new state also
        // sees a future to complete.
        zero = z;
        state = newState;
        if (inFlight() == 0) {
            z.complete(null);
        }
        return z;
    }

    /** Refuses new work from now on, without waiting for anything. */
    public void close() {
        state = CLOSED;
    }
}
