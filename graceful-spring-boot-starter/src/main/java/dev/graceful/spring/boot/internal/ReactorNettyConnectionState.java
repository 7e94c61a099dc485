package dev.graceful.spring.boot.internal;

import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;

/** What the drain needs to know of one Reactor Netty connection; confined to the connection's event loop. */
final class ReactorNettyConnectionState {

    static final AttributeKey<ReactorNettyConnectionState> KEY =
            AttributeKey.valueOf(ReactorNettyConnectionState.class, "graceful");

    /**
     * How long a connection still short of a complete request head must have delivered nothing before
     * the final close closes it: the rule and the figure of every other adapter (docs/architecture.md,
     * "a request head that stopped arriving").
     */
    static final long STALLED_HEAD_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

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

    boolean idle() {
        return !upgraded && !reading && writing == 0;
    }

    /** Part of a request head arrived, no whole one: no work, nothing the application saw. */
    boolean headInProgress() {
        return !upgraded && reading && heads == 0 && writing == 0;
    }

    /** How much longer a head in progress may stay quiet before it counts as stalled; 0 or less: stalled. */
    long nanosUntilStalled(long now) {
        return STALLED_HEAD_QUIET_NANOS - (now - lastReadNanos);
    }
}
