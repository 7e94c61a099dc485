package dev.graceful.servlet.internal;

import jakarta.websocket.Session;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every non-public member of Tomcat's WebSocket implementation graceful uses, resolved once.
 * Tomcat 11 has no session listener: its container keeps its open sessions in a private map
 * ({@code WsWebSocketContainer.sessions}: a session is put when it opens, removed when its
 * connection has closed), so graceful swaps in a map that tells it both. A cut closes the
 * connection the way Tomcat does after its own close timeout ({@code WsSession.closeConnection}).
 *
 * <p>When a member is missing (another Tomcat version), {@link #resolve()} says which, and
 * WebSockets on that server are not watched (the application can register them itself).
 */
final class TomcatWebSocketInternals {

    static final String CONTAINER_CLASS = "org.apache.tomcat.websocket.WsWebSocketContainer";
    static final String SESSION_CLASS = "org.apache.tomcat.websocket.WsSession";

    private final Field sessionsField;
    private final Method closeConnection;

    private TomcatWebSocketInternals(Field sessionsField, Method closeConnection) {
        this.sessionsField = sessionsField;
        this.closeConnection = closeConnection;
    }

    /**
     * Resolves the members from the class loader that loaded {@code container}.
     *
     * @throws ReflectiveOperationException naming the member that is missing
     */
    static TomcatWebSocketInternals resolve(Object container) throws ReflectiveOperationException {
        ClassLoader loader = container.getClass().getClassLoader();
        Class<?> containerClass = Class.forName(CONTAINER_CLASS, false, loader);
        Class<?> sessionClass = Class.forName(SESSION_CLASS, false, loader);
        Field sessions = containerClass.getDeclaredField("sessions");
        if (!Map.class.isAssignableFrom(sessions.getType())) {
            throw new NoSuchFieldException(CONTAINER_CLASS + ".sessions is a " + sessions.getType() + ", not a Map");
        }
        Method close = sessionClass.getDeclaredMethod("closeConnection");
        sessions.setAccessible(true);
        close.setAccessible(true);
        return new TomcatWebSocketInternals(sessions, close);
    }

    /** Whether {@code container} is Tomcat's WebSocket container. */
    static boolean isTomcat(Object container) {
        for (Class<?> c = container.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals(CONTAINER_CLASS)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Replaces the container's session map with one that reports each put and remove; the
     * sessions already open are reported as opened.
     */
    @SuppressWarnings("unchecked")
    void watch(Object container, WebSocketSessions sessions, WebSocketSessions.Container leave)
            throws IllegalAccessException {
        Map<Object, Object> old = (Map<Object, Object>) sessionsField.get(container);
        Watched watched = new Watched(sessions, leave);
        // Done when the filter starts, before requests: a session opening in this very instant
        // could be missed (not counted, not asked to leave), never counted twice.
        for (Map.Entry<Object, Object> e : old.entrySet()) {
            watched.put(e.getKey(), e.getValue()); // put, not putAll: putAll bypasses put
        }
        sessionsField.set(container, watched);
    }

    /** Closes the session's connection now, as Tomcat does after its close timeout. */
    void closeConnection(Session session) throws ReflectiveOperationException {
        closeConnection.invoke(session);
    }

    /** Tomcat's session map, reporting to graceful. */
    private static final class Watched extends ConcurrentHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
        private final transient WebSocketSessions sessions;
        private final transient WebSocketSessions.Container leave;

        Watched(WebSocketSessions sessions, WebSocketSessions.Container leave) {
            this.sessions = sessions;
            this.leave = leave;
        }

        @Override
        public Object put(Object key, Object value) {
            Object previous = super.put(key, value);
            if (key instanceof Session s) {
                sessions.opened(s, leave);
            }
            return previous;
        }

        @Override
        public Object remove(Object key) {
            Object removed = super.remove(key);
            if (key instanceof Session s) {
                sessions.closed(s);
            }
            return removed;
        }
    }
}
