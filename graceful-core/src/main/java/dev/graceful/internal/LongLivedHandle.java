package dev.graceful.internal;

import dev.graceful.Departure;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One long-lived connection: its described unit of work, its departure, and which of the two steps
 * it has had. One object per connection, and no registry of its own: the connections open are the
 * long-lived trackers' described units (thousands of them stay open for hours).
 */
final class LongLivedHandle extends WorkHandle {

    static final byte OPEN = 0;
    static final byte ASKED = 1;
    static final byte CUT = 2;

    private static final VarHandle STEP;

    static {
        try {
            STEP = MethodHandles.lookup().findVarHandle(LongLivedHandle.class, "step", byte.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Departure departure;

    @SuppressWarnings("unused") // accessed through STEP
    private volatile byte step;

    LongLivedHandle(DefaultTracker tracker, String description, long startNanos, Departure departure) {
        super(tracker, description, startNanos);
        this.departure = departure;
    }

    /** Whether this call moved it from open to asked: the only call that asks it to leave. */
    boolean ask() {
        return STEP.compareAndSet(this, OPEN, ASKED);
    }

    /** Whether this call cut it: it was not cut before. */
    boolean markCut() {
        return (byte) STEP.getAndSet(this, CUT) != CUT;
    }
}
