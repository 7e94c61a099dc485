package dev.graceful.servlet.internal;

import dev.graceful.GracefulShutdown;
import jakarta.servlet.ServletContext;
import jakarta.websocket.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the context's Jakarta WebSocket container and watches its sessions: Jetty's through its
 * session listener, Tomcat's through {@link TomcatWebSocketInternals}. Nothing is needed from the
 * application.
 */
public final class WebSocketWatch {

    /** The servlet-context attribute both containers publish their {@code ServerContainer} under. */
    public static final String SERVER_CONTAINER = "jakarta.websocket.server.ServerContainer";

    private static final Logger log = LoggerFactory.getLogger(WebSocketWatch.class);

    private WebSocketWatch() {}

    /** The outcome of {@link #install}. */
    public enum Outcome {
        /** The context has no WebSocket container (or the WebSocket API is absent). */
        NO_CONTAINER,
        /** Sessions are watched. */
        WATCHED,
        /** There is a container, but graceful cannot watch it: warned once. */
        NOT_WATCHED
    }

    /**
     * Watches the WebSocket sessions of {@code context}, if it has a container.
     *
     * @return what was found; the sessions, when watched, are in {@code sessions}
     */
    public static Outcome install(ServletContext context, GracefulShutdown graceful, WebSocketSessions[] sessions) {
        Object container = context.getAttribute(SERVER_CONTAINER);
        if (container == null) {
            return Outcome.NO_CONTAINER;
        }
        try {
            WebSocketSessions s = new WebSocketSessions(graceful);
            Outcome outcome = watch(container, s);
            if (outcome == Outcome.WATCHED) {
                sessions[0] = s;
            }
            return outcome;
        } catch (LinkageError noWebSocketApi) {
            return Outcome.NO_CONTAINER;
        }
    }

    /** Watches {@code container}'s sessions in {@code sessions}. */
    public static Outcome watch(Object container, WebSocketSessions sessions) {
        if (isJetty(container)) {
            try {
                if (JettyWebSocketWatch.watch(container, sessions)) {
                    return Outcome.WATCHED;
                }
            } catch (LinkageError e) {
                // Another ee level than graceful's ee11: not watched (below).
            }
        } else if (TomcatWebSocketInternals.isTomcat(container)) {
            try {
                TomcatWebSocketInternals tomcat = TomcatWebSocketInternals.resolve(container);
                tomcat.watch(container, sessions, new TomcatLeave(tomcat));
                return Outcome.WATCHED;
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.warn(
                        "Tomcat's WebSocket sessions cannot be watched ({}): they are not asked to leave at the"
                                + " shutdown; register them with GracefulStreams.webSocket",
                        e.toString());
                return Outcome.NOT_WATCHED;
            }
        }
        log.warn(
                "The WebSocket container {} is not one graceful knows: its sessions are not asked to leave at the"
                        + " shutdown; register them with GracefulStreams.webSocket",
                container.getClass().getName());
        return Outcome.NOT_WATCHED;
    }

    private static boolean isJetty(Object container) {
        return container.getClass().getName().startsWith("org.eclipse.jetty.");
    }

    /** Tomcat: Close 1001 through the Jakarta API (it blocks until written), cut by closing the connection. */
    private record TomcatLeave(TomcatWebSocketInternals tomcat) implements WebSocketSessions.Container {
        @Override
        public void goAway(Session session) {
            WebSocketSessions.closeGoingAway(session);
        }

        @Override
        public void cut(Session session) {
            try {
                tomcat.closeConnection(session);
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.debug("Cutting WebSocket session {} failed", session.getId(), e);
            }
        }
    }
}
