package dev.graceful.grpc.internal;

import io.grpc.ForwardingServerCallListener;
import io.grpc.ServerCall;

/**
 * One call in flight, and the listener that counts it out: grpc-java ends every call with exactly
 * one of {@code onComplete} and {@code onCancel} (cancelled by either side, deadline exceeded,
 * {@code shutdownNow}), on the call's serializing executor, so a plain flag is enough. The only
 * object graceful allocates per call; the description is built only when a report asks.
 */
final class TrackedCall<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {

    private final CallTracking tracking;
    private final String fullMethodName;
    private final long startNanos;
    private final int slot;
    private boolean ended;

    TrackedCall(CallTracking tracking, ServerCall.Listener<Q> delegate, String fullMethodName, long startNanos) {
        super(delegate);
        this.tracking = tracking;
        this.fullMethodName = fullMethodName;
        this.startNanos = startNanos;
        this.slot = tracking.slots().claim(this);
    }

    long startNanos() {
        return startNanos;
    }

    String description() {
        return "/" + fullMethodName;
    }

    @Override
    public void onComplete() {
        try {
            super.onComplete();
        } finally {
            end();
        }
    }

    @Override
    public void onCancel() {
        try {
            super.onCancel();
        } finally {
            end();
        }
    }

    private void end() {
        if (!ended) {
            ended = true;
            tracking.slots().release(slot);
            tracking.tracker().exit();
        }
    }
}
