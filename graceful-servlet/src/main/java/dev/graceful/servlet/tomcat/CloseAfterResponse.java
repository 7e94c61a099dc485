package dev.graceful.servlet.tomcat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the listener closes, asks each connection whose response the client does not have entirely
 * yet to close after it ({@link TomcatInternals#closeAfterResponse}), including connections that a
 * container thread holds at that moment.
 *
 * <p>Tomcat takes the processor off a connection for as long as a thread runs a dispatch on it,
 * under the connection's lock, and puts an asynchronous request's processor back only once that
 * dispatch has unwound. A request that went asynchronous and whose first dispatch is still
 * unwinding when the listener closes has already passed graceful's filter or valve, which ask a
 * request to close only while it runs, and it has no processor on its connection to find. So a
 * connection whose lock is held is looked at every few milliseconds and asked as soon as it is
 * seen free. An asynchronous request then has its processor back; a synchronous one has returned,
 * with {@code Connection: close} from the filter unless its response was already committed (that
 * connection closes at the final close, when idle), and there is nothing left to ask.
 */
final class CloseAfterResponse {

    private static final Logger log = LoggerFactory.getLogger(CloseAfterResponse.class);
    /** How often a connection held by a dispatch is looked at again: only while stopping, a few connections. */
    private static final long RECHECK_MILLIS = 2;

    // Plain ints, not an enum: its class would first load after the signal (docs/architecture.md,
    // "A rehearsal of the shutdown").
    private static final int CLOSES = 0;
    private static final int STAYS = 1;
    private static final int IN_DISPATCH = 2;

    private final TomcatInternals internals;
    /** Filled by the thread that closes the listeners, then read by the one {@link #followDispatches} starts after it. */
    private final List<SocketWrapperBase<?>> inDispatch = new ArrayList<>();

    CloseAfterResponse(TomcatInternals internals) {
        this.internals = internals;
    }

    /**
     * Asks every connection that is free now; remembers the others for {@link #followDispatches}.
     *
     * @return how many will close after their response
     */
    int askAll(Collection<? extends SocketWrapperBase<?>> connections) {
        int closing = 0;
        for (SocketWrapperBase<?> wrapper : connections) {
            int asked = ask(wrapper);
            if (asked == IN_DISPATCH) {
                inDispatch.add(wrapper);
            } else if (asked == CLOSES) {
                closing++;
            }
        }
        return closing;
    }

    /** How many connections {@link #askAll} found held by a dispatch, for {@link #followDispatches}. */
    int inDispatch() {
        return inDispatch.size();
    }

    /**
     * Asks each connection {@link #askAll} found held by a dispatch once that dispatch has returned,
     * until none is left: each is seen free sooner or later, or closes (at the latest at the final
     * close or the forced one).
     */
    void followDispatches() throws InterruptedException {
        while (!inDispatch.isEmpty()) {
            TimeUnit.MILLISECONDS.sleep(RECHECK_MILLIS);
            for (Iterator<SocketWrapperBase<?>> it = inDispatch.iterator(); it.hasNext(); ) {
                SocketWrapperBase<?> wrapper = it.next();
                int asked = ask(wrapper);
                if (asked != IN_DISPATCH) {
                    it.remove();
                    if (asked == CLOSES) {
                        log.debug(
                                "Connection {} will close after its response (asked once its dispatch returned)",
                                wrapper);
                    }
                }
            }
        }
    }

    private int ask(SocketWrapperBase<?> wrapper) {
        if (wrapper.isClosed()) {
            return STAYS;
        }
        ReentrantLock lock = wrapper.getLock();
        if (!lock.tryLock()) {
            return IN_DISPATCH;
        }
        try {
            // Under the lock, no dispatch runs: the processor on the connection is all there is.
            return !wrapper.isClosed() && internals.closeAfterResponse(wrapper.getCurrentProcessor()) ? CLOSES : STAYS;
        } finally {
            lock.unlock();
        }
    }
}
