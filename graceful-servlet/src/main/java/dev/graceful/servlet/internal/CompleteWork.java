package dev.graceful.servlet.internal;

import dev.graceful.Work;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/**
 * Counts an asynchronous request out when its response is really finished.
 *
 * <p>Only {@code onComplete} closes the work: after a timeout or an error the container (or the
 * application) still writes a response, and the request stays in flight until that is done; the
 * Servlet specification guarantees {@code onComplete} at the end of every asynchronous cycle,
 * whether it ended by {@code complete()}, by a dispatch that did not start a new cycle, by a
 * timeout or by an error (a client abort surfaces as an error).
 */
public final class CompleteWork implements AsyncListener {

    private final Work work;

    /**
     * Creates the listener.
     *
     * @param work the request's work, closed exactly once (closing is idempotent)
     */
    public CompleteWork(Work work) {
        this.work = work;
    }

    @Override
    public void onComplete(AsyncEvent event) {
        work.close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // The container now dispatches the error handling; onComplete follows.
    }

    @Override
    public void onError(AsyncEvent event) {
        // As for a timeout: the response is not finished yet; onComplete follows.
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // A dispatched request started a new asynchronous cycle: listeners are not carried over
        // to it, so re-register to hear of its end.
        event.getAsyncContext().addListener(this);
    }
}
