package dev.graceful;

/**
 * What graceful asks of one long-lived connection when the service leaves: the adapter's half of
 * {@link LongLived#open(String, Departure)}. Both methods are called at most once each, from
 * graceful's own thread, and must not block: hand the work to the connection's own thread (an
 * event loop, the container) and return.
 */
public interface Departure {

    /**
     * Asks the peer to leave in order: a WebSocket Close frame with code 1001 (Going Away), the
     * end of an event stream (the chunked terminator, then the connection's close). Called when
     * the listeners close, or at once for a connection opened after that. The connection then
     * counts itself out ({@link Work#close()}) once the peer has answered and the connection is
     * closed.
     */
    void goAway();

    /**
     * Closes the connection now: the peer has not finished leaving within
     * {@link GracefulConfig#longLivedTimeout()}, the drain timed out, or a second signal is ending
     * the process. Called only after {@link #goAway()}, or instead of it when the process is being
     * forced.
     */
    void cut();
}
