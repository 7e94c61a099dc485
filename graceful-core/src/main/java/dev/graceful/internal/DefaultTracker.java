package dev.graceful.internal;

import dev.graceful.Departure;
import dev.graceful.RejectedWorkException;
import dev.graceful.Tracker;
import dev.graceful.Work;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A tracker for one kind of work. See {@link Gate} for why entries and exits are two monotonic
 * striped counters and why entering counts before it checks the gate.
 */
public final class DefaultTracker implements Tracker {

    private final String kind;
    private final Gate gate;
    private final Scheduler clock;
    private final LongAdder entered = new LongAdder();
    private final LongAdder exited = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final DescribedWork described = new DescribedWork();
    /** Runs after a described unit is closed and counted out; set once for a long-lived kind. */
    private volatile Runnable afterClose;

    DefaultTracker(String kind, Gate gate, Scheduler clock) {
        this.kind = kind;
        this.gate = gate;
        this.clock = clock;
    }

    Gate gate() {
        return gate;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public boolean tryEnter() {
        entered.increment();
        if (gate.state() == Gate.CLOSED) {
            // Balance the entry in a counter of its own, not in exited: exited then counts only
            // admitted work, so "drained" is one counter's delta instead of a difference of two
            // counters read at different instants.
            refused.increment();
            gate.exitedWhileDraining();
            return false;
        }
        return true;
    }

    @Override
    public void exit() {
        exited.increment();
        if (gate.state() != Gate.OPEN) {
            gate.exitedWhileDraining();
        }
    }

    @Override
    public Work tryBegin(String description) {
        Objects.requireNonNull(description, "description");
        if (!tryEnter()) {
            return null;
        }
        WorkHandle work = new WorkHandle(this, description, clock.nanoTime());
        described.add(work);
        return work;
    }

    @Override
    @SuppressWarnings("unchecked") // the handle applies the describer to the subject it was given with
    public <T> Work tryBegin(T subject, Function<? super T, String> describer) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(describer, "describer");
        if (!tryEnter()) {
            return null;
        }
        WorkHandle work = new WorkHandle(this, subject, (Function<Object, String>) describer, clock.nanoTime());
        described.add(work);
        return work;
    }

    @Override
    public Work begin(String description) {
        Work work = tryBegin(description);
        if (work == null) {
            throw rejected(description);
        }
        return work;
    }

    /** Begins a long-lived connection: {@link #begin(String)}, its handle also carrying its departure. */
    LongLivedHandle beginLongLived(String description, Departure departure) {
        Objects.requireNonNull(description, "description");
        if (!tryEnter()) {
            throw rejected(description);
        }
        LongLivedHandle work = new LongLivedHandle(this, description, clock.nanoTime(), departure);
        described.add(work);
        return work;
    }

    private RejectedWorkException rejected(String description) {
        return new RejectedWorkException("refused " + kind + " work '" + description
                + "': the service has finished draining and is shutting down");
    }

    /** Runs {@code r} after every described unit of this kind is closed and counted out. */
    void afterClose(Runnable r) {
        afterClose = r;
    }

    @Override
    public long inFlight() {
        long e = exited.sum();
        long r = refused.sum();
        return entered.sum() - e - r;
    }

    long enteredSum() {
        return entered.sum();
    }

    long exitedSum() {
        return exited.sum();
    }

    long refused() {
        return refused.sum();
    }

    List<WorkHandle> described() {
        return described.snapshot();
    }

    long nanoTime() {
        return clock.nanoTime();
    }

    void closed(WorkHandle work) {
        // Deregister before counting out, so that a zero count never leaves a stale description.
        described.remove(work);
        exit();
        Runnable r = afterClose;
        if (r != null) {
            r.run();
        }
    }

    @Override
    public String toString() {
        return "Tracker[" + kind + ", inFlight=" + inFlight() + "]";
    }
}
