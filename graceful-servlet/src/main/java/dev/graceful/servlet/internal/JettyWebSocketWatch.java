package dev.graceful.servlet.internal;

import jakarta.websocket.Session;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketContainer;
import org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketSessionListener;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;

/**
 * Watches the Jakarta WebSocket sessions of Jetty 12 (ee11) through its public session listener:
 * no reflection. Loaded only when the context's {@code ServerContainer} is Jetty's.
 */
final class JettyWebSocketWatch implements JakartaWebSocketSessionListener, WebSocketSessions.Container {

    private final WebSocketSessions sessions;

    JettyWebSocketWatch(WebSocketSessions sessions) {
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
        CoreSession core = ((JakartaWebSocketSession) session).getCoreSession();
        // Jetty's core session queues the Close behind the frames being sent and does not block, but
        // it writes (and closes, once answered) on the calling thread: graceful's one shutdown thread,
        // which asks thousands of sessions one after the other (10,000: ~4 s on 2 loaded cores). On
        // Jetty's own pool the Closes go out in parallel and the shutdown thread moves on.
        Executor executor = core.getWebSocketComponents().getExecutor();
        if (executor != null) {
            try {
                executor.execute(() -> closeGoingAway(core));
                return;
            } catch (RejectedExecutionException e) {
                // the pool is stopping: close from here
            }
        }
        closeGoingAway(core);
    }

    private static void closeGoingAway(CoreSession core) {
        core.close(CloseStatus.SHUTDOWN, WebSocketSessions.REASON, Callback.NOOP);
    }

    @Override
    public void cut(Session session) {
        ((JakartaWebSocketSession) session).getCoreSession().abort();
    }
}
