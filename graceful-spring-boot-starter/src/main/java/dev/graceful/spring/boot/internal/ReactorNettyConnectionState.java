package dev.graceful.spring.boot.internal;

import dev.graceful.InFlightWork;
import dev.graceful.Work;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.netty.Connection;

/**
 * What the drain needs to know of one Reactor Netty connection; confined to the connection's event
 * loop, except for the exchange read by {@link #describe} at the drain deadline.
 */
final class ReactorNettyConnectionState {

    private static final VarHandle EXCHANGE;

    static {
        try {
            EXCHANGE = MethodHandles.lookup()
                    .findVarHandle(ReactorNettyConnectionState.class, "exchange", ServerHttpRequest.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final AttributeKey<ReactorNettyConnectionState> KEY =
            AttributeKey.valueOf(ReactorNettyConnectionState.class, "graceful");

    /**
     * How long a connection still short of a complete request head must have delivered nothing before
     * the final close closes it: the rule and the figure of every other adapter (docs/architecture.md,
     * "a request head that stopped arriving").
     */
    static final long STALLED_HEAD_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * The state of the HTTP/1 connection {@code request} came on, when graceful's handlers watch it
     * and this is its event loop: the connection then counts the exchange out and sees it become
     * long-lived ({@link ReactorNettyResponseEnd}). Otherwise {@code null} (HTTP/2, or called off
     * the event loop): the exchange is tracked on its own. Allocates nothing.
     */
    static ReactorNettyConnectionState of(ServerHttpRequest request) {
        Connection connection;
        try {
            // The adapter's own request: the filter is first in the chain.
            if (!(request instanceof AbstractServerHttpRequest adapted
                    && adapted.getNativeRequest() instanceof Connection c)) {
                return null;
            }
            connection = c;
        } catch (IllegalStateException e) {
            return null; // a request with no server behind it (a test's mock)
        }
        Channel channel = connection.channel();
        if (!channel.eventLoop().inEventLoop() || !channel.isActive()) {
            return null;
        }
        ReactorNettyConnectionState state = channel.attr(KEY).get();
        return state == null || state.upgraded ? null : state;
    }

    /** Request bytes arrived that no response has answered yet. */
    boolean reading;
    /** Request heads the codec decoded whose response has not ended yet. */
    int heads;
    /** Ends of responses written but not yet flushed to the socket. */
    int writing;
    /** A read graceful asked for: bytes it brings sat unread. */
    boolean probing;
    /** Switched to WebSocket: no HTTP response will end on it any more. */
    boolean upgraded;
    /** A WebSocket Close frame was written. */
    boolean closeSent;
    /** When the connection last became idle (accepted, or a response end flushed). */
    long idleSince;
    /** When request bytes last arrived. */
    long lastReadNanos;

    /** A response end was written: the connection is idle. One per connection, not per response. */
    private final ChannelFutureListener written = f -> endWritten();
    /** A response end was written during the shutdown: the connection closes. */
    private final ChannelFutureListener writtenThenClose = f -> {
        endWritten();
        f.channel().close();
    };
    /**
     * The promise of the response end written last, not looked at yet: looked at once the flush that
     * sends it has returned ({@link #settleEnd}). A response written and flushed at once, nearly every
     * one, then needs no listener on its promise, which would take the promise's monitor to be added
     * and again to be notified, on every response (graceful-netty's {@code Http1Connection} does the same).
     */
    private ChannelPromise unsettledEnd;

    /**
     * A response end is being written with {@code promise}: the connection is busy until it is out.
     * {@code listen}: know at once when it is (while shutting down, or to close after it), not at the next flush.
     */
    void ending(ChannelPromise promise, boolean listen, boolean closeAfter) {
        writing++;
        if (closeAfter) {
            promise.addListener(writtenThenClose);
        } else if (listen || unsettledEnd != null) {
            promise.addListener(written);
        } else {
            unsettledEnd = promise;
        }
    }

    /**
     * Settles the response end written last: now if its write is done, else when it is. On the event
     * loop: after each flush through graceful's handler and, in case a flush never comes that way, at
     * the next request head and before the connection is asked whether it is idle.
     */
    void settleEnd() {
        ChannelPromise p = unsettledEnd;
        if (p == null) {
            return;
        }
        unsettledEnd = null;
        if (p.isDone()) {
            endWritten();
        } else {
            p.addListener(written);
        }
    }

    private void endWritten() {
        writing--;
        idleSince = System.nanoTime();
    }

    /**
     * The exchange counted in the {@code "http"} tracker and not yet answered, kept to describe it
     * if it is still running at the drain deadline; {@code null} when none is. Written with release
     * semantics (a plain store on x86) so that the describing thread sees {@link #exchangeSince}.
     */
    @SuppressWarnings("unused") // through EXCHANGE
    private ServerHttpRequest exchange;
    /** When the counted exchange was admitted. */
    private long exchangeSince;
    /** Exchanges counted in and not yet out: 0 or 1 (see {@link #counted}). */
    private int countedExchanges;
    /** The open event stream's long-lived handle, once the counted exchange turned out to be one. */
    Work eventStream;
    /** The event stream was asked to leave while an event was part-written: it ends at the next flush. */
    boolean leaving;
    /** Writes of the event stream since its last flush: 0 between events. */
    int unflushed;
    /** graceful ended the event stream: what the application still writes on it is dropped. */
    boolean streamEnded;

    /**
     * An exchange the filter counted in, on the event loop. Reactor Netty answers one exchange at a
     * time per connection, but the count does not rely on it: a second one counted before the
     * first's end was seen is counted out as well.
     */
    void counted(ServerHttpRequest request) {
        countedExchanges++;
        exchangeSince = System.nanoTime();
        EXCHANGE.setRelease(this, request);
    }

    /**
     * Ends one counted exchange, if there is one; on the event loop.
     *
     * @return the exchange last counted (its {@code "http"} unit is the caller's to exit), or {@code null}
     */
    ServerHttpRequest uncount() {
        if (countedExchanges == 0) {
            return null;
        }
        ServerHttpRequest request = (ServerHttpRequest) EXCHANGE.get(this);
        if (--countedExchanges == 0) {
            EXCHANGE.setRelease(this, null);
        }
        return request;
    }

    /** The counted exchange still running, described as {@code kind} work; from any thread, or {@code null}. */
    InFlightWork describe(String kind, long now) {
        ServerHttpRequest request = (ServerHttpRequest) EXCHANGE.getAcquire(this);
        if (request == null) {
            return null;
        }
        return new InFlightWork(kind, GracefulWebFilter.describe(request), Duration.ofNanos(now - exchangeSince));
    }

    /** No request read and no response end on its way out; on the event loop. */
    boolean idle() {
        settleEnd();
        return !upgraded && !reading && writing == 0;
    }

    /** Part of a request head arrived, no whole one: no work, nothing the application saw. On the event loop. */
    boolean headInProgress() {
        settleEnd();
        return !upgraded && reading && heads == 0 && writing == 0;
    }

    /** How much longer a head in progress may stay quiet before it counts as stalled; 0 or less: stalled. */
    long nanosUntilStalled(long now) {
        return STALLED_HEAD_QUIET_NANOS - (now - lastReadNanos);
    }
}
