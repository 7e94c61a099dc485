package dev.graceful.servlet.tomcat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.catalina.Container;
import org.apache.catalina.core.StandardWrapper;
import org.apache.catalina.util.ServerInfo;
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
 * Every member of Tomcat 11 that {@link TomcatParticipant} reaches without a public API: the
 * endpoint behind a protocol handler (to list connections and tell idle ones from busy ones), the
 * keep-alive decision of a request in flight (so that a response produced during the drain asks
 * the client to close), and the pieces needed to close the listening socket without Tomcat's
 * acceptor dropping connections (see {@link #closeServerSocket}). Each member is looked up once;
 * one that is missing is logged once, as a warning saying what degrades, and its feature falls
 * back. The listener close also mirrors what Tomcat's acceptor does, so it runs only on the
 * Tomcat versions it was verified with ({@link #verified}); on others Tomcat's own
 * {@code closeServerSocketGraceful()} is used, with one warning.
 */
final class TomcatInternals {

    static final String GET_ENDPOINT = "AbstractProtocol.getEndpoint()";
    static final String KEEP_ALIVE = "Http11Processor.keepAlive";
    static final String LIMIT_LATCH = "AbstractEndpoint.connectionLimitLatch";
    static final String ACCEPTOR = "AbstractEndpoint.acceptor";
    static final String ACCEPTOR_STATE = "Acceptor.state";
    static final String ACCEPTOR_STOP = "Acceptor.stopMillis(int)";
    static final String BIND_STATE = "AbstractEndpoint.bindState";
    static final String CLOSE_SERVER_SOCKET = "AbstractEndpoint.doCloseServerSocket()";
    static final String LATCH_COUNT = "LimitLatch.count";
    static final String SERVER_SOCKET = "NioEndpoint.getServerSocket()";
    static final String SET_SOCKET_OPTIONS = "NioEndpoint.setSocketOptions(SocketChannel)";
    static final String CLOSE_SOCKET = "AbstractEndpoint.closeSocket(Object)";
    static final String UNLOAD_DELAY = "StandardWrapper.unloadDelay";

    private static final Logger log = LoggerFactory.getLogger(TomcatInternals.class);
    private static final String NO_IDLE = "idle connections will be closed only when the connector stops";
    private static final String NO_CLOSE =
            "responses already in progress during a drain will not carry Connection: close";
    private static final String NO_LISTENER = "the listening socket is closed by Tomcat's closeServerSocketGraceful(), "
            + "which can drop or reset connections arriving while it closes";
    private static final String NO_UNLOAD =
            "a forced close waits up to the context's unloadDelay (2 s) for a servlet thread that is stuck";
    private static final String NO_DRAIN = "connections already queued when the listening socket closes are reset";
    private static final String NO_PROMPT_STOP =
            "after the listener close, the connector's stop waits up to 10 ms more for Tomcat's acceptor";

    private final Set<String> hidden;
    private final List<String> missing = new ArrayList<>();
    private final boolean listenerClose;
    private final Method getEndpoint;
    private final Field keepAlive;
    private final Field limitLatch;
    private final Field acceptor;
    private final Field acceptorState;
    private final Method acceptorStop;
    private final Field bindState;
    private final Method closeServerSocket;
    private final Field latchCount;
    private final Method serverSocket;
    private final Method setSocketOptions;
    private final Method closeSocket;
    private final Field unloadDelay;
    private final Object boundOnStart;
    private final Object socketClosedOnStop;

    private static final class Running {
        static final TomcatInternals INSTANCE = new TomcatInternals(ServerInfo.getServerNumber(), Set.of());
    }

    /**
     * Looks the members up, for the Tomcat whose {@link ServerInfo#getServerNumber()} is
     * {@code version}; {@code hidden} members (names above) count as missing, for tests.
     */
    TomcatInternals(String version, Set<String> hidden) {
        this.hidden = hidden;
        getEndpoint = find(GET_ENDPOINT, NO_IDLE, () -> method(AbstractProtocol.class, "getEndpoint"));
        keepAlive = find(KEEP_ALIVE, NO_CLOSE, () -> field(Http11Processor.class, "keepAlive"));
        listenerClose = verified(version);
        if (!listenerClose) {
            log.warn(
                    "Tomcat {} is not a version graceful's listener close was verified with (11.0.x): {}",
                    version,
                    NO_LISTENER);
        }
        limitLatch = onVerified(LIMIT_LATCH, NO_LISTENER, () -> field(AbstractEndpoint.class, "connectionLimitLatch"));
        acceptor = onVerified(ACCEPTOR, NO_LISTENER, () -> field(AbstractEndpoint.class, "acceptor"));
        acceptorState = onVerified(ACCEPTOR_STATE, NO_LISTENER, () -> field(Acceptor.class, "state"));
        acceptorStop = onVerified(ACCEPTOR_STOP, NO_PROMPT_STOP, () -> method(Acceptor.class, "stopMillis", int.class));
        bindState = onVerified(BIND_STATE, NO_LISTENER, () -> field(AbstractEndpoint.class, "bindState"));
        closeServerSocket = onVerified(
                CLOSE_SERVER_SOCKET, NO_LISTENER, () -> method(AbstractEndpoint.class, "doCloseServerSocket"));
        latchCount = onVerified(LATCH_COUNT, NO_DRAIN, () -> field(LimitLatch.class, "count"));
        serverSocket = onVerified(SERVER_SOCKET, NO_DRAIN, () -> method(NioEndpoint.class, "getServerSocket"));
        setSocketOptions = onVerified(
                SET_SOCKET_OPTIONS, NO_DRAIN, () -> method(NioEndpoint.class, "setSocketOptions", SocketChannel.class));
        closeSocket =
                onVerified(CLOSE_SOCKET, NO_DRAIN, () -> method(AbstractEndpoint.class, "closeSocket", Object.class));
        unloadDelay = find(UNLOAD_DELAY, NO_UNLOAD, () -> field(StandardWrapper.class, "unloadDelay"));
        boundOnStart = bindState == null ? null : bindState("BOUND_ON_START");
        socketClosedOnStop = bindState == null ? null : bindState("SOCKET_CLOSED_ON_STOP");
    }

    /** The members of the Tomcat this process runs, looked up once. */
    static TomcatInternals running() {
        return Running.INSTANCE;
    }

    /**
     * Whether the listener close was verified with this Tomcat: it mirrors the body of Tomcat's
     * {@code Acceptor.run()}, which a release could change without any member going missing.
     */
    static boolean verified(String serverNumber) {
        return serverNumber != null && serverNumber.startsWith("11.0.");
    }

    /** The members that could not be looked up (or were hidden); those not looked up are not listed. */
    List<String> missing() {
        return List.copyOf(missing);
    }

    private interface Lookup<T> {
        T find() throws ReflectiveOperationException;
    }

    /** Looks a member of the listener close up, on a verified version only. */
    private <T> T onVerified(String what, String consequence, Lookup<T> lookup) {
        return listenerClose ? find(what, consequence, lookup) : null;
    }

    private <T> T find(String what, String consequence, Lookup<T> lookup) {
        try {
            if (hidden.contains(what)) {
                throw new NoSuchFieldException(what + " hidden");
            }
            return lookup.find();
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Tomcat's {} is not accessible ({}): {}", what, e.toString(), consequence);
            missing.add(what);
            return null;
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    private static Method method(Class<?> type, String name, Class<?>... parameters) throws NoSuchMethodException {
        Method m = type.getDeclaredMethod(name, parameters);
        m.setAccessible(true);
        return m;
    }

    private Object bindState(String name) {
        for (Object constant : bindState.getType().getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        log.warn("Tomcat's AbstractEndpoint.BindState has no {}: {}", name, NO_LISTENER);
        return null;
    }

    /** The endpoint behind a protocol handler, or {@code null} when not accessible. */
    AbstractEndpoint<?, ?> endpoint(ProtocolHandler handler) {
        if (getEndpoint == null || !(handler instanceof AbstractProtocol)) {
            return null;
        }
        try {
            return (AbstractEndpoint<?, ?>) getEndpoint.invoke(handler);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Cannot reach the endpoint of {}", handler, e);
            return null;
        }
    }

    /**
     * Makes a servlet's unload wait for no thread still serving it: Tomcat copies the context's
     * {@code unloadDelay} into each wrapper when it is added, and offers no setter.
     */
    void noUnloadDelay(Container wrapper) {
        if (unloadDelay == null || !(wrapper instanceof StandardWrapper)) {
            return;
        }
        try {
            unloadDelay.setLong(wrapper, 0);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Cannot clear the unload delay of {}", wrapper, e);
        }
    }

    /**
     * Whether the connection's processor is still short of a complete request head (a slow
     * client), so no request is being served on it. Call it holding the connection's lock: Tomcat
     * serves a request, and reads a blocking body, only while holding it, so a processor left on
     * a connection whose lock is free is an asynchronous request between dispatches, or a head
     * read in part (its stage then says {@code ENDED}, from the read that came up short).
     */
    boolean readingHead(Object processor) {
        if (!(processor instanceof Http11Processor http) || http.isAsync()) {
            return false;
        }
        int stage = http.getRequest().getRequestProcessor().getStage();
        return stage != org.apache.coyote.Constants.STAGE_PREPARE && stage != org.apache.coyote.Constants.STAGE_SERVICE;
    }

    /**
     * Makes the connection of an HTTP/1.1 request being served close after its response, when the
     * client does not have that response entirely yet: a response not committed then carries
     * {@code Connection: close}, a committed one (a stream) closes its connection after its last
     * byte. A connection between requests, or whose response the client already has in full, is
     * left alone, even if Tomcat has not finished the exchange yet: the client may already be
     * sending its next request on it, and closing under it would lose that request (it closes at
     * the final close, when idle). Returns whether it will close; {@code processor} is the
     * connection's current one (anything else is ignored).
     */
    boolean closeAfterResponse(Object processor) {
        if (keepAlive == null || !(processor instanceof Http11Processor http)) {
            return false;
        }
        try {
            Request request = http.getRequest();
            int stage = request.getRequestProcessor().getStage();
            // An asynchronous request between dispatches sits in STAGE_ENDED with its processor.
            boolean serving = stage == org.apache.coyote.Constants.STAGE_PREPARE
                    || stage == org.apache.coyote.Constants.STAGE_SERVICE
                    || http.isAsync();
            if (!serving || (request.getResponse().isCommitted() && clientHasAll(request))) {
                return false;
            }
            keepAlive.setBoolean(processor, false);
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
     * that a connection either was accepted (and is served) or is refused: parks the acceptor on a
     * connection limit of zero (woken by a connection of our own, as Tomcat's {@code unlockAccept}
     * does), hands the backlog to Tomcat, closes with Tomcat's {@code doCloseServerSocket()}, marks
     * the endpoint {@code SOCKET_CLOSED_ON_STOP} (no keep-alive for requests read from then on) and
     * the acceptor {@code PAUSED} (stopping the connector then wakes it without connecting to the
     * closed socket), and tells HTTP/2 connections to stop opening streams, as Tomcat does. Why
     * each step: "Tomcat's listening socket" in docs/architecture.md.
     *
     * @param endpoint the endpoint, bound at start and running
     * @param wait     how long to wait for the acceptor to park
     * @return {@code true} when closed; {@code false} when nothing was changed (members missing,
     *         version not verified, no connection limit, acceptor not running, or it did not park
     *         in time): then close with {@code closeServerSocketGraceful()}
     */
    boolean closeServerSocket(AbstractEndpoint<?, ?> endpoint, Duration wait) {
        if (!listenerClose
                || limitLatch == null
                || acceptor == null
                || acceptorState == null
                || closeServerSocket == null
                || boundOnStart == null
                || socketClosedOnStop == null) {
            return false;
        }
        try {
            LimitLatch latch = (LimitLatch) limitLatch.get(endpoint);
            Acceptor<?> running = (Acceptor<?>) acceptor.get(endpoint);
            if (latch == null
                    || running == null
                    || running.getState() != Acceptor.AcceptorState.RUNNING
                    || bindState.get(endpoint) != boundOnStart
                    || endpoint.isPaused()) {
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
            bindState.set(endpoint, socketClosedOnStop);
            acceptorState.set(running, Acceptor.AcceptorState.PAUSED);
            tellToEndWhenReleased(running);
            try {
                closeServerSocket.invoke(endpoint);
                log.debug(
                        "Closed the listening socket of {}, after handing {} queued connection(s) to Tomcat",
                        endpoint.getName(),
                        queued);
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.warn(
                        "Could not close the listening socket of {}; it closes when the connector stops",
                        endpoint.getName(),
                        e instanceof InvocationTargetException ? e.getCause() : e);
            }
            endpoint.getHandler().pause();
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn(
                    "Could not close the listening socket of {} directly ({}): {}",
                    endpoint.getName(),
                    e.toString(),
                    NO_LISTENER);
            return false;
        }
    }

    /**
     * Tells the parked acceptor to end as soon as the connector's stop releases it, without
     * waiting. Without it, released into a paused endpoint, the acceptor enters Tomcat's pause loop
     * in the state set above, so it times its pause from a start it never saw and sleeps 10 ms
     * before it looks again, and the connector's stop waits for that sleep (docs/BENCHMARKS.md,
     * group 3, "Tomcat's acceptor told to end": 14 ms to 4 ms for an idle Spring Boot connector).
     */
    private void tellToEndWhenReleased(Acceptor<?> parked) {
        if (acceptorStop == null) {
            return;
        }
        try {
            acceptorStop.invoke(parked, 0);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Could not tell Tomcat's parked acceptor to end", e);
        }
    }

    /**
     * Accepts the connections already queued in the backlog and hands them to Tomcat, exactly as
     * the body of its {@code Acceptor.run()} would have (counted, configured, registered with the
     * poller), so that closing the socket right after resets none of them. Only on the NIO
     * endpoint (Tomcat's default).
     */
    private int acceptQueued(AbstractEndpoint<?, ?> endpoint, LimitLatch latch) {
        if (!(endpoint instanceof NioEndpoint)
                || latchCount == null
                || serverSocket == null
                || setSocketOptions == null
                || closeSocket == null) {
            return 0;
        }
        int accepted = 0;
        try {
            if (!(serverSocket.invoke(endpoint) instanceof ServerSocketChannel server)) {
                return 0;
            }
            // The acceptor, parked on the latch, is not in a blocking accept().
            server.configureBlocking(false);
            AtomicLong count = (AtomicLong) latchCount.get(latch);
            SocketChannel socket;
            while ((socket = server.accept()) != null) {
                accepted++;
                count.incrementAndGet();
                if (!(Boolean) setSocketOptions.invoke(endpoint, socket)) {
                    closeSocket.invoke(endpoint, socket);
                }
            }
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            log.debug("Stopped handing queued connections to Tomcat's {}", endpoint.getName(), e);
        }
        return accepted;
    }

    private static boolean awaitParked(AbstractEndpoint<?, ?> endpoint, LimitLatch latch, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        // The acceptor is usually blocked in accept(): give it a connection to take. A non-blocking
        // channel, not a java.net.Socket: its connect never blocks (the wait below is the only one),
        // and a Socket's first use loads the SOCKS and proxy-selector classes, 7-11 ms of cold code
        // in the middle of the stop against 0.3 ms for the channel.
        try (SocketChannel wake = SocketChannel.open()) {
            try {
                InetAddress address = endpoint.getAddress();
                if (address == null || address.isAnyLocalAddress()) {
                    // A wildcard socket, IPv4 or dual-stack, takes IPv4 loopback connections.
                    address = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
                }
                wake.configureBlocking(false);
                wake.connect(new InetSocketAddress(address, endpoint.getLocalPort()));
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
