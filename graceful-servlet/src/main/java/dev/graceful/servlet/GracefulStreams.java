package dev.graceful.servlet;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.internal.EventStream;
import dev.graceful.servlet.internal.WebSocketSessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.websocket.Session;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Long-lived connections the application registers itself, for what graceful cannot detect.
 *
 * <p>Most applications need none of this. With the {@link GracefulFilter} installed, an
 * asynchronous response whose content type is {@code text/event-stream} is an event stream
 * already, and the Jakarta WebSocket sessions of Jetty 12 (ee11) and Tomcat 11 are watched
 * already: see the module README.
 */
public final class GracefulStreams {

    /** The content type that makes an asynchronous response an event stream. */
    public static final String EVENT_STREAM = EventStream.CONTENT_TYPE;

    private GracefulStreams() {}

    /**
     * Declares the request's asynchronous response an event stream and returns its handle, so the
     * application's writer can see when to stop: with an {@link Leaving#onLeave(Runnable) onLeave}
     * action the application ends the stream itself (its last event whole, then
     * {@code AsyncContext.complete()}); without one graceful completes it. Call it from the
     * servlet's {@code service} method, after {@code startAsync()}. Without graceful's filter
     * (graceful disabled) the handle never leaves.
     *
     * @param request the request, asynchronous already
     * @return the stream's handle
     * @throws IllegalStateException when the request is not asynchronous
     */
    public static Leaving eventStream(HttpServletRequest request) {
        EventStream stream = EventStream.declare(Objects.requireNonNull(request, "request"));
        return leaving(stream::isLeaving, stream::onLeave, stream::close);
    }

    /**
     * Registers a WebSocket session graceful does not watch (a container other than Jetty 12 ee11
     * or Tomcat 11): at the shutdown it gets Close 1001, and is cut when it has not closed within
     * the long-lived timeout. Call {@link Leaving#close()} from the endpoint's {@code onClose}.
     * Do not register sessions of Jetty or Tomcat: they would be counted twice.
     *
     * @param graceful the coordinator
     * @param session  the open session
     * @return the session's handle
     */
    public static Leaving webSocket(GracefulShutdown graceful, Session session) {
        WebSocketSessions.Registered registered = WebSocketSessions.register(
                Objects.requireNonNull(graceful, "graceful"), Objects.requireNonNull(session, "session"));
        return leaving(registered::isLeaving, registered::onLeave, registered::close);
    }

    private static Leaving leaving(BooleanSupplier isLeaving, Consumer<Runnable> onLeave, Runnable close) {
        return new Leaving() {
            @Override
            public boolean isLeaving() {
                return isLeaving.getAsBoolean();
            }

            @Override
            public void onLeave(Runnable action) {
                onLeave.accept(Objects.requireNonNull(action, "action"));
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
