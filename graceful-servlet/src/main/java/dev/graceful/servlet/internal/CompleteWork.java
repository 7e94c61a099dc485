package dev.graceful.servlet.internal;

import dev.graceful.Work;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.io.IOException;

/**
 * Counts an asynchronous request out when its response is really finished.
 *
 * <p>Only {@code onComplete} closes the work: after a timeout or an error the container (or the
 * application) still writes a response, and the request stays in flight until that is done; the
 * Servlet specification guarantees {@code onComplete} at the end of every asynchronous cycle,
 * whether it ended by {@code complete()}, by a dispatch that did not start a new cycle, by a
 * timeout or by an error (a client abort surfaces as an error).
 *
 * <p>One exception: an error caused by an I/O failure (the peer reset or aborted) counts the work
 * out at once, because Tomcat does not keep that guarantee there. When the application's
 * {@code complete()} lands between Tomcat's error handling and its own {@code complete()}, Tomcat's
 * call fails ({@code Calling [asyncComplete()] is not valid ... COMPLETING}) and {@code onComplete}
 * never comes, so the request would stay in flight until the drain timed out. No answer can reach a
 * peer that is gone, so nothing is lost by not waiting for one. {@link Work#close()} is idempotent:
 * a later {@code onComplete} counts nothing twice.
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
        if (event.getThrowable() instanceof IOException) {
            work.close(); // the peer is gone; onComplete may never come (see the class comment)
        }
        // Otherwise, as for a timeout: the response is not finished yet; onComplete follows.
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // A dispatched request started a new asynchronous cycle: listeners are not carried over
        // to it, so re-register to hear of its end.
        event.getAsyncContext().addListener(this);
    }
}
