package dev.graceful.internal;

import dev.graceful.InFlightWork;
import dev.graceful.Work;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.function.Function;

/** A described unit of work; counted out exactly once however often it is closed. */
class WorkHandle implements Work {

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(WorkHandle.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DefaultTracker tracker;
    /** The description, or what {@link #describer} makes it from. */
    private final Object subject;
    /** {@code null} when {@link #subject} is the description itself. */
    private final Function<Object, String> describer;

    private final long startNanos;

    @SuppressWarnings("unused") // accessed through CLOSED
    private volatile boolean closed;

    // Links in the tracker's DescribedWork, guarded by the stripe's lock.
    DescribedWork.Stripe stripe;
    WorkHandle prev;
    WorkHandle next;

    WorkHandle(DefaultTracker tracker, String description, long startNanos) {
        this(tracker, description, null, startNanos);
    }

    /** A handle described only when asked: {@code describer} applied to {@code subject}. */
    WorkHandle(DefaultTracker tracker, Object subject, Function<Object, String> describer, long startNanos) {
        this.tracker = tracker;
        this.subject = subject;
        this.describer = describer;
        this.startNanos = startNanos;
    }

    @Override
    public String kind() {
        return tracker.kind();
    }

    @Override
    public String description() {
        if (describer == null) {
            return (String) subject;
        }
        try {
            return String.valueOf(describer.apply(subject));
        } catch (RuntimeException e) {
            // The report is what a stuck drain leaves behind: it must come out whatever the describer does.
            return "(not described: " + e + ")";
        }
    }

    @Override
    public Duration age() {
        return Duration.ofNanos(Math.max(0, tracker.nanoTime() - startNanos));
    }

    long startNanos() {
        return startNanos;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public final void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            tracker.closed(this);
        }
    }

    InFlightWork snapshot() {
        return new InFlightWork(kind(), description(), age());
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
