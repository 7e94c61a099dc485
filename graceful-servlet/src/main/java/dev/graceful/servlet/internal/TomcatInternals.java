package dev.graceful.servlet.internal;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.Request;
import org.apache.coyote.Response;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.Acceptor;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.threads.LimitLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The places where Tomcat 11 has no public API for what a graceful drain needs: the endpoint
 * behind a protocol handler (to list connections and tell idle ones from busy ones), the
 * keep-alive decision of a request in flight (so that a response produced during the drain asks
 * the client to close), and the pieces needed to close the listening socket without Tomcat's
 * acceptor dropping connections (see {@link #closeServerSocket}). Each access is reflective,
 * checked once, and degrades with one warning when a future Tomcat changes its internals; the
 * integration tests pin the behaviour on the supported version.
 */
public final class TomcatInternals {

    private static final Logger log = LoggerFactory.getLogger(TomcatInternals.class);
    private static final String NO_IDLE = "idle connections will be closed only when the connector stops";
    private static final String NO_CLOSE = "responses already in progress during a drain will not carry Connection: close";
    private static final String NO_LISTENER = "the listening socket is closed by Tomcat's closeServerSocketGraceful(), "
            + "which can drop or reset connections arriving while it closes";

    private static final Method GET_ENDPOINT = find(() -> {
        Method m = AbstractProtocol.class.getDeclaredMethod("getEndpoint");
        m.setAccessible(true);
        return m;
    }, "AbstractProtocol.getEndpoint()", NO_IDLE);
    private static final Field KEEP_ALIVE = find(() -> accessible(Http11Processor.class, "keepAlive"),
            "Http11Processor.keepAlive", NO_CLOSE);
    private static final Field LIMIT_LATCH = find(() -> accessible(AbstractEndpoint.class, "connectionLimitLatch"),
            "AbstractEndpoint.connectionLimitLatch", NO_LISTENER);
    private static final Field ACCEPTOR = find(() -> accessible(AbstractEndpoint.class, "acceptor"),
            "AbstractEndpoint.acceptor", NO_LISTENER);
    private static final Field ACCEPTOR_STATE = find(() -> accessible(Acceptor.class, "state"),
            "Acceptor.state", NO_LISTENER);
    private static final Field BIND_STATE = find(() -> accessible(AbstractEndpoint.class, "bindState"),
            "AbstractEndpoint.bindState", NO_LISTENER);
    private static final Method CLOSE_SERVER_SOCKET = find(() -> {
        Method m = AbstractEndpoint.class.getDeclaredMethod("doCloseServerSocket");
        m.setAccessible(true);
        return m;
    }, "AbstractEndpoint.doCloseServerSocket()", NO_LISTENER);
    private static final String NO_DRAIN = "connections already queued when the listening socket closes are reset";
    private static final Field LATCH_COUNT = find(() -> accessible(LimitLatch.class, "count"),
            "LimitLatch.count", NO_DRAIN);
    private static final Method SERVER_SOCKET = find(() -> {
        Method m = NioEndpoint.class.getDeclaredMethod("getServerSocket");
        m.setAccessible(true);
        return m;
    }, "NioEndpoint.getServerSocket()", NO_DRAIN);
    private static final Method SET_SOCKET_OPTIONS = find(() -> {
        Method m = NioEndpoint.class.getDeclaredMethod("setSocketOptions", SocketChannel.class);
        m.setAccessible(true);
        return m;
    }, "NioEndpoint.setSocketOptions(SocketChannel)", NO_DRAIN);
    private static final Method CLOSE_SOCKET = find(() -> {
        Method m = AbstractEndpoint.class.getDeclaredMethod("closeSocket", Object.class);
        m.setAccessible(true);
        return m;
    }, "AbstractEndpoint.closeSocket(Object)", NO_DRAIN);
    private static final Object BOUND_ON_START = BIND_STATE == null ? null : bindState("BOUND_ON_START");
    private static final Object SOCKET_CLOSED_ON_STOP = BIND_STATE == null ? null : bindState("SOCKET_CLOSED_ON_STOP");

    private TomcatInternals() {
    }

    private interface Lookup<T> {
        T find() throws ReflectiveOperationException;
    }

    private static <T> T find(Lookup<T> lookup, String what, String consequence) {
        try {
            return lookup.find();
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Tomcat's {} is not accessible ({}): {}", what, e.toString(), consequence);
            return null;
        }
    }

    private static Field accessible(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    private static Object bindState(String name) {
        for (Object constant : BIND_STATE.getType().getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        log.warn("Tomcat's AbstractEndpoint.BindState has no {}: {}", name, NO_LISTENER);
        return null;
    }

    /**
     * The endpoint behind a protocol handler.
     *
     * @param handler the protocol handler
     * @return the endpoint, or {@code null} when not accessible
     */
    public static AbstractEndpoint<?, ?> endpoint(ProtocolHandler handler) {
        if (GET_ENDPOINT == null || !(handler instanceof AbstractProtocol)) {
            return null;
        }
        try {
            return (AbstractEndpoint<?, ?>) GET_ENDPOINT.invoke(handler);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Cannot reach the endpoint of {}", handler, e);
            return null;
        }
    }

    /**
     * Makes the connection of an HTTP/1.1 request being served close after its response, when the
     * client does not have that response entirely yet: a response not committed then carries
     * {@code Connection: close}, a committed one (a stream) closes its connection after its last
     * byte. A connection between requests, or whose response the client already has in full, is
     * left alone, even if Tomcat has not finished the exchange yet: the client may already be
     * sending its next request on it, and closing under it would lose that request (it closes at
     * the final close, when idle).
     *
     * @param processor the connection's current processor (anything else is ignored)
     * @return {@code true} when the connection will close after its response
     */
    public static boolean closeAfterResponse(Object processor) {
        if (KEEP_ALIVE == null || !(processor instanceof Http11Processor)) {
            return false;
        }
        Http11Processor http = (Http11Processor) processor;
        try {
            Request request = http.getRequest();
            int stage = request.getRequestProcessor().getStage();
            // An asynchronous request between dispatches sits in STAGE_ENDED with its processor.
            boolean serving = stage == org.apache.coyote.Constants.STAGE_PREPARE
                    || stage == org.apache.coyote.Constants.STAGE_SERVICE || http.isAsync();
            if (!serving || (request.getResponse().isCommitted() && clientHasAll(request))) {
                return false;
            }
            KEEP_ALIVE.setBoolean(processor, false);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Cannot disable keep-alive on {}", processor, e);
            return false;
        }
    }

    /** Whether every byte of the committed response has been handed to the connection. */
    private static boolean clientHasAll(Request request) {
        Response response = request.getResponse();
        int status = response.getStatus();
        if (request.method().equals("HEAD") || status == 204 || status == 304) {
            return true;
        }
        long length = response.getContentLengthLong();
        return length >= 0 && response.getContentWritten() >= length;
    }

    /**
     * Closes the listening socket of a running endpoint the way Jetty and Netty do, directly, so
     * that a connection either was accepted (and is served) or is refused.
     *
     * <p>Tomcat's own {@code closeServerSocketGraceful()} stops the acceptor first: the acceptor
     * destroys a connection it still accepts after being told to stop, and connections completing
     * their handshake until the socket finally closes (after up to a second of waiting for the
     * acceptor) are reset. Closing the socket under an acceptor blocked in {@code accept()} would
     * make it log an error instead. So the acceptor is first parked where Tomcat parks it when
     * {@code maxConnections} is reached: the connection limit is lowered to zero, and the acceptor
     * is woken (by a connection of our own, as Tomcat's {@code unlockAccept} does) so that it hands
     * the connection it was accepting to Tomcat and then waits on the limit. The connections
     * queued meanwhile are accepted and handed to Tomcat the same way, and the socket is closed
     * right after, with Tomcat's own {@code doCloseServerSocket()}; the endpoint is marked
     * {@code SOCKET_CLOSED_ON_STOP} (which disables keep-alive for requests read from then on,
     * as Tomcat does) and the acceptor {@code PAUSED}, so that stopping the connector later wakes
     * it without trying to connect to the closed socket. HTTP/2 connections are told to stop
     * opening streams, as Tomcat does.
     *
     * @param endpoint the endpoint, bound at start and running
     * @param wait     how long to wait for the acceptor to park
     * @return {@code true} when closed; {@code false} when nothing was changed (internals not
     *         accessible, no connection limit, acceptor not running, or it did not park in time):
     *         then close with {@code closeServerSocketGraceful()}
     */
    public static boolean closeServerSocket(AbstractEndpoint<?, ?> endpoint, Duration wait) {
        if (LIMIT_LATCH == null || ACCEPTOR == null || ACCEPTOR_STATE == null || CLOSE_SERVER_SOCKET == null
                || BOUND_ON_START == null || SOCKET_CLOSED_ON_STOP == null) {
            return false;
        }
        try {
            LimitLatch latch = (LimitLatch) LIMIT_LATCH.get(endpoint);
            Acceptor<?> acceptor = (Acceptor<?>) ACCEPTOR.get(endpoint);
            if (latch == null || acceptor == null || acceptor.getState() != Acceptor.AcceptorState.RUNNING
                    || BIND_STATE.get(endpoint) != BOUND_ON_START || endpoint.isPaused()) {
                // maxConnections=-1 (no latch to park on), or not in the state this method knows.
                return false;
            }
            long limit = latch.getLimit();
            latch.setLimit(0);
            if (!awaitParked(endpoint, latch, wait)) {
                latch.setLimit(limit);
                log.debug("Tomcat's acceptor of {} did not park within {}", endpoint.getName(), wait);
                return false;
            }
            // Parked: from here on Tomcat's own method would wake the acceptor onto a socket in a
            // state it does not expect, so there is no falling back.
            int queued = acceptQueued(endpoint, latch);
            BIND_STATE.set(endpoint, SOCKET_CLOSED_ON_STOP);
            ACCEPTOR_STATE.set(acceptor, Acceptor.AcceptorState.PAUSED);
            try {
                CLOSE_SERVER_SOCKET.invoke(endpoint);
                log.debug("Closed the listening socket of {}, after handing {} queued connection(s) to Tomcat",
                        endpoint.getName(), queued);
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.warn("Could not close the listening socket of {}; it closes when the connector stops",
                        endpoint.getName(), e instanceof InvocationTargetException ? e.getCause() : e);
            }
            endpoint.getHandler().pause();
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Could not close the listening socket of {} directly ({}): {}", endpoint.getName(), e.toString(),
                    NO_LISTENER);
            return false;
        }
    }

    /**
     * Accepts the connections already queued in the backlog and hands them to Tomcat, exactly as
     * its acceptor would have (counted, configured, registered with the poller), so that closing
     * the socket right after resets none of them. Only on the NIO endpoint (Tomcat's default).
     */
    private static int acceptQueued(AbstractEndpoint<?, ?> endpoint, LimitLatch latch) {
        if (!(endpoint instanceof NioEndpoint) || LATCH_COUNT == null || SERVER_SOCKET == null
                || SET_SOCKET_OPTIONS == null || CLOSE_SOCKET == null) {
            return 0;
        }
        int accepted = 0;
        try {
            Object channel = SERVER_SOCKET.invoke(endpoint);
            if (!(channel instanceof ServerSocketChannel)) {
                return 0;
            }
            ServerSocketChannel server = (ServerSocketChannel) channel;
            // The acceptor, parked on the latch, is not in a blocking accept().
            server.configureBlocking(false);
            AtomicLong count = (AtomicLong) LATCH_COUNT.get(latch);
            SocketChannel socket;
            while ((socket = server.accept()) != null) {
                accepted++;
                count.incrementAndGet();
                if (!(Boolean) SET_SOCKET_OPTIONS.invoke(endpoint, socket)) {
                    CLOSE_SOCKET.invoke(endpoint, socket);
                }
            }
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            log.debug("Stopped handing queued connections to Tomcat's {}", endpoint.getName(), e);
        }
        return accepted;
    }

    private static boolean awaitParked(AbstractEndpoint<?, ?> endpoint, LimitLatch latch, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        int timeout = Math.max(1, endpoint.getSocketProperties().getUnlockTimeout());
        // The acceptor is usually blocked in accept(): give it a connection to take.
        try (Socket wake = new Socket()) {
            try {
                InetAddress address = endpoint.getAddress();
                if (address == null || address.isAnyLocalAddress()) {
                    // A wildcard socket, IPv4 or dual-stack, takes IPv4 loopback connections.
                    address = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
                }
                wake.connect(new InetSocketAddress(address, endpoint.getLocalPort()), timeout);
            } catch (IOException e) {
                log.debug("Could not wake Tomcat's acceptor of {}", endpoint.getName(), e);
            }
            while (!latch.hasQueuedThreads()) {
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
                TimeUnit.MICROSECONDS.sleep(100);
            }
            return true;
        } catch (IOException e) {
            return latch.hasQueuedThreads();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
