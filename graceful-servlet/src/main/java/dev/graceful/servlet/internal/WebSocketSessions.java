package dev.graceful.servlet.internal;

import dev.graceful.Departure;
import dev.graceful.GracefulShutdown;
import dev.graceful.LongLived;
import dev.graceful.Work;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open WebSocket sessions of one servlet context, each a {@code "websocket"} long-lived
 * connection of graceful, whichever container watches them ({@link JettyWebSocketWatch},
 * {@link TomcatWebSocketInternals}) or the application registered.
 */
public final class WebSocketSessions {

    /** The reason sent with the Close frame (code 1001, Going Away). */
    public static final String REASON = "server shutting down";

    private static final Logger log = LoggerFactory.getLogger(WebSocketSessions.class);

    /**
     * Sends the Close frames of containers whose {@code Session.close} blocks until the frame is
     * written (Tomcat): graceful's thread must not wait for a slow peer.
     */
    private static final ExecutorService CLOSERS =
            new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                // Gone a second after the last Close: nothing left for a WAR's undeploy to find.
                Thread t = new Thread(r, "graceful-websocket-close");
                t.setDaemon(true);
                return t;
            });

    /** How one container leaves and cuts a session. */
    public interface Container {
        /** Sends Close 1001 (without blocking graceful's thread) and lets the container finish the handshake. */
        void goAway(Session session);

        /** Closes the session's connection now. */
        void cut(Session session);
    }

    private final LongLived longLived;
    private final Map<Session, Work> open = new ConcurrentHashMap<>();

    /** @param graceful the coordinator whose {@code "websocket"} connections these are */
    public WebSocketSessions(GracefulShutdown graceful) {
        this.longLived = graceful.longLived("websocket");
    }

    /**
     * A session has opened: registered once (a second call for the same session returns the first handle).
     *
     * @return the handle, closed by {@link #closed(Session)}
     */
    public Work opened(Session session, Container container) {
        return open.computeIfAbsent(
                session,
                s -> longLived.open(describe(s), new Departure() {
                    @Override
                    public void goAway() {
                        container.goAway(s);
                    }

                    @Override
                    public void cut() {
                        container.cut(s);
                    }
                }));
    }

    /** The session has closed, however it closed. */
    public void closed(Session session) {
        Work w = open.remove(session);
        if (w != null) {
            w.close();
        }
    }

    /** The sessions open now. */
    public int count() {
        return open.size();
    }

    /**
     * A session the application registers itself (a container graceful does not watch): Close 1001
     * through the Jakarta API, a cut is a plain close; counted out by the returned handle's close.
     */
    public static Registered register(GracefulShutdown graceful, Session session) {
        Registered r = new Registered();
        r.work = graceful.longLived("websocket").open(describe(session), new Departure() {
            @Override
            public void goAway() {
                r.leave();
                closeGoingAway(session);
            }

            @Override
            public void cut() {
                r.leave();
                try {
                    session.close();
                } catch (Exception e) {
                    log.debug("Closing WebSocket session {} failed", session.getId(), e);
                }
            }
        });
        return r;
    }

    /** An application-registered session. */
    public static final class Registered {
        private final List<Runnable> onLeave = new CopyOnWriteArrayList<>();
        private volatile boolean leaving;
        private volatile Work work;

        void leave() {
            leaving = true;
            for (Runnable action : onLeave) {
                if (onLeave.remove(action)) {
                    action.run();
                }
            }
        }

        /** Whether graceful has asked the session to leave. */
        public boolean isLeaving() {
            return leaving;
        }

        /** Runs {@code action} when asked to leave, or at once if already asked. */
        public void onLeave(Runnable action) {
            onLeave.add(Objects.requireNonNull(action, "action"));
            if (leaving && onLeave.remove(action)) {
                action.run();
            }
        }

        /** The session has closed: counts it out (idempotent). */
        public void close() {
            work.close();
        }
    }

    /** Close 1001 through the Jakarta API, on a thread of its own: {@code Session.close} may block. */
    public static void closeGoingAway(Session session) {
        CLOSERS.execute(() -> {
            try {
                session.close(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, REASON));
            } catch (Exception | LinkageError e) {
                log.debug("Close 1001 of WebSocket session {} failed", session.getId(), e);
            }
        });
    }

    private static String describe(Session s) {
        URI uri = null;
        try {
            uri = s.getRequestURI();
        } catch (RuntimeException e) {
            // described without its path
        }
        return "GET " + (uri == null || uri.getPath() == null ? "(websocket)" : uri.getPath());
    }
}
