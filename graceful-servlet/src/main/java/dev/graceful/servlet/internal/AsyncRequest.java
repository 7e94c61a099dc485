package dev.graceful.servlet.internal;

import dev.graceful.Tracker;
import dev.graceful.Work;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Set;

/**
 * An asynchronous request in flight in an {@link InFlightRequests}: it left its thread's slot, so it
 * is kept here, in its tracking's set, until its asynchronous cycle ends; counted out once, when closed.
 */
final class AsyncRequest implements Work {

    private final Tracker tracker;
    private final Set<AsyncRequest> inFlight;
    final HttpServletRequest request;
    private final long start;
    private volatile boolean closed;

    /** Not yet in {@code inFlight}: the caller adds it. */
    AsyncRequest(Tracker tracker, Set<AsyncRequest> inFlight, HttpServletRequest request, long start) {
        this.tracker = tracker;
        this.inFlight = inFlight;
        this.request = request;
        this.start = start;
    }

    @Override
    public String kind() {
        return tracker.kind();
    }

    @Override
    public String description() {
        String what = InFlightRequests.describe(request);
        return what == null ? "request" : what;
    }

    @Override
    public Duration age() {
        return Duration.ofNanos(Math.max(0, System.nanoTime() - start));
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        inFlight.remove(this);
        tracker.exit();
    }
}
