package dev.graceful.servlet;

/**
 * The application's view of one long-lived connection that graceful will ask to leave (a WebSocket
 * session, an event stream), from {@link GracefulStreams}.
 */
public interface Leaving extends AutoCloseable {

    /** Whether graceful has asked this connection to leave: the service is shutting down. */
    boolean isLeaving();

    /**
     * Runs {@code action} when graceful asks the connection to leave (on graceful's thread: hand
     * long work to your own), or at once if it already has. For an event stream, registering an
     * action means the application ends the stream itself: after the event it is writing,
     * {@code AsyncContext.complete()}.
     *
     * @param action what to do; not {@code null}
     */
    void onLeave(Runnable action);

    /** The connection has closed: counts it out of graceful (idempotent). */
    @Override
    void close();
}
