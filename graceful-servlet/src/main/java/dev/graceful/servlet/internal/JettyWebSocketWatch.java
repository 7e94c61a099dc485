package dev.graceful.servlet.internal;

import jakarta.websocket.Session;
import org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketContainer;
import org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketSessionListener;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;

/**
 * Watches the Jakarta WebSocket sessions of Jetty 12 (ee11) through its public session listener:
 * no reflection. Loaded only when the context's {@code ServerContainer} is Jetty's.
 */
final class JettyWebSocketWatch implements JakartaWebSocketSessionListener, WebSocketSessions.Container {

    private final WebSocketSessions sessions;

    private JettyWebSocketWatch(WebSocketSessions sessions) {
        this.sessions = sessions;
    }

    /** Whether {@code container} is Jetty's; if so, its sessions are watched from now on. */
    static boolean watch(Object container, WebSocketSessions sessions) {
        if (!(container instanceof JakartaWebSocketContainer jetty)) {
            return false;
        }
        JettyWebSocketWatch watch = new JettyWebSocketWatch(sessions);
        jetty.addSessionListener(watch);
        for (Session s : jetty.getOpenSessions()) {
            sessions.opened(s, watch);
        }
        return true;
    }

    @Override
    public void onJakartaWebSocketSessionOpened(JakartaWebSocketSession session) {
        sessions.opened(session, this);
    }

    @Override
    public void onJakartaWebSocketSessionClosed(JakartaWebSocketSession session) {
        sessions.closed(session);
    }

    @Override
    public void goAway(Session session) {
        // Jetty's core session queues the Close behind the frames being sent and does not block.
        ((JakartaWebSocketSession) session)
                .getCoreSession()
                .close(CloseStatus.SHUTDOWN, WebSocketSessions.REASON, Callback.NOOP);
    }

    @Override
    public void cut(Session session) {
        ((JakartaWebSocketSession) session).getCoreSession().abort();
    }
}
