package dev.graceful.grpc.internal;

import dev.graceful.InFlightWork;
import dev.graceful.Tracker;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.List;

/**
 * The interceptor: every call is counted in from its start until grpc-java ends it, exactly once;
 * health {@code Watch} streams are handed to {@link WatchStreams} instead (they never end by
 * themselves, so they are not work a drain waits for). A call that arrives after the final close
 * is refused with {@code UNAVAILABLE}, which clients may retry on another server.
 */
public final class CallTracking implements ServerInterceptor {

    static final String WATCH_METHOD = "grpc.health.v1.Health/Watch";

    private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {};

    private final Tracker tracker;
    private final WatchStreams watches;
    private final CallSlots slots = new CallSlots();

    /**
     * @param tracker the tracker calls are counted with
     * @param watches where health Watch streams go
     */
    public CallTracking(Tracker tracker, WatchStreams watches) {
        this.tracker = tracker;
        this.watches = watches;
    }

    Tracker tracker() {
        return tracker;
    }

    CallSlots slots() {
        return slots;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (method.equals(WATCH_METHOD)) {
            return watches.start(call, headers, next);
        }
        long start = System.nanoTime();
        if (!tracker.tryEnter()) {
            call.close(Status.UNAVAILABLE.withDescription("server is shutting down"), new Metadata());
            @SuppressWarnings("unchecked")
            ServerCall.Listener<Q> nothing = (ServerCall.Listener<Q>) NOTHING;
            return nothing;
        }
        ServerCall.Listener<Q> delegate;
        try {
            delegate = next.startCall(call, headers);
        } catch (RuntimeException | Error e) {
            // grpc-java closes the call itself, and no listener of ours will hear of it.
            tracker.exit();
            throw e;
        }
        return new TrackedCall<>(this, delegate, method, start);
    }

    /**
     * The calls in flight, oldest first, for the stuck-work report.
     *
     * @param max at most this many
     * @return the calls, each described {@code /package.Service/Method} with its age
     */
    public List<InFlightWork> describe(int max) {
        return slots.describe(tracker.kind(), tracker.inFlight(), max);
    }
}
