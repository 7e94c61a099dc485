package dev.graceful.servlet.internal;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.LongLived;
import dev.graceful.Refusal;
import dev.graceful.State;
import dev.graceful.Tracker;
import dev.graceful.Work;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What graceful does with each request of one servlet context, whichever hook of the server calls
 * it: the {@code GracefulFilter} (any container, a WAR), the {@code GracefulValve} (embedded
 * Tomcat) or the {@code GracefulJettyHandler} (embedded Jetty), which reach it without a filter
 * chain. The hook decides which requests are the client's own (not a forward, include, error or
 * asynchronous dispatch) and which ask for a health path, each in the cheapest way its server
 * allows; everything else is here, once.
 */
public final class RequestTracking {

    private static final byte[] REFUSAL_BODY = Refusal.body();

    private final GracefulShutdown graceful;
    private final Tracker tracker;
    private final String[] healthPaths;
    private final InFlightRequests inFlight;
    private final LongLived sse;
    /** The context's WebSocket sessions once watched; looked for again at upgrade requests until found. */
    private volatile WebSocketSessions webSockets;

    /**
     * Counts the requests of a context as {@code "http"} work of {@code graceful}.
     *
     * @param graceful the coordinator
     * @param health   the health endpoint served on the same context: its paths are not tracked
     */
    public RequestTracking(GracefulShutdown graceful, HealthEndpoint health) {
        this.graceful = graceful;
        this.tracker = graceful.tracker("http");
        Set<String> paths = new LinkedHashSet<>(health.readinessPaths());
        paths.addAll(health.livenessPaths());
        this.healthPaths = paths.toArray(String[]::new);
        this.inFlight = new InFlightRequests(tracker);
        this.sse = graceful.longLived("sse");
        try {
            graceful.register(inFlight);
        } catch (IllegalStateException shuttingDown) {
            // Created after the shutdown began: requests are counted, a stuck one is not described.
        }
    }

    /** The health paths, within the context: a hook compares a request's path with them. */
    public String[] healthPaths() {
        return healthPaths;
    }

    /** Watches the Jakarta WebSocket sessions of {@code context} if its container has published them. */
    public void watchWebSockets(ServletContext context) {
        synchronized (this) {
            if (webSockets == null) {
                WebSocketSessions[] found = new WebSocketSessions[1];
                WebSocketWatch.Outcome outcome = WebSocketWatch.install(context, graceful, found);
                if (outcome == WebSocketWatch.Outcome.WATCHED) {
                    webSockets = found[0];
                }
            }
        }
    }

    /** The requests in flight: a hook may {@link InFlightRequests#bind bind} their slots to its server's request objects. */
    public InFlightRequests inFlight() {
        return inFlight;
    }

    /** The WebSocket sessions watched on this context, or {@code null}. */
    public WebSocketSessions webSockets() {
        return webSockets;
    }

    /** For {@link #enter}: the request started when the hook was called (the clock is read then). */
    public static final long STARTS_NOW = Long.MIN_VALUE;

    /**
     * Takes in one request the client sent (its first dispatch): tracked and shaped while draining,
     * or refused after the final close; a health request is only shaped. The hook itself passes the
     * request on (when the answer is not {@code null}) and then calls {@link #exit}: no frame of
     * graceful's stands between the server's code and the application's.
     *
     * @param request    the request
     * @param response   its response
     * @param health     whether it asks for a health path
     * @param startNanos when the request started on {@link System#nanoTime()}'s scale, as the server
     *                   recorded it, or {@link #STARTS_NOW}: its age in a stuck-work report counts from there
     * @return what to give {@link #exit} once the application returned, or {@code null} when the
     *     request was refused (its 503 is written): not to be passed on
     * @throws IOException when the refusal cannot be written
     */
    public InFlightRequests.Slot enter(
            HttpServletRequest request, HttpServletResponse response, boolean health, long startNanos)
            throws IOException {
        return enter(request, response, health, startNanos, null);
    }

    /**
     * As {@link #enter(HttpServletRequest, HttpServletResponse, boolean, long)}, the request being
     * kept in flight in {@code bound}, a slot {@link InFlightRequests#bind bound} to the server's
     * request object, in no slot when {@code bound} is {@link InFlightRequests#COUNTED} (the server
     * lists its requests), or (when {@code null}) in the slot of the thread serving it.
     */
    public InFlightRequests.Slot enter(
            HttpServletRequest request,
            HttpServletResponse response,
            boolean health,
            long startNanos,
            InFlightRequests.Slot bound)
            throws IOException {
        InFlightRequests.Slot slot = admit(request, response, health, startNanos, bound);
        if (slot == null) {
            refuse(request, response);
        }
        return slot;
    }

    /**
     * As {@link #enter(HttpServletRequest, HttpServletResponse, boolean, long, InFlightRequests.Slot)},
     * except that a refused request is not answered: the hook answers it with core's {@link Refusal}
     * in its server's own terms (a hook called before the servlet layer runs cannot write through it).
     *
     * @return what to give {@link #leave} once the application returned, or {@code null} when the
     *     request is refused
     */
    public InFlightRequests.Slot admit(
            HttpServletRequest request,
            HttpServletResponse response,
            boolean health,
            long startNanos,
            InFlightRequests.Slot bound) {
        if (webSockets == null && request.getHeader("Upgrade") != null) {
            watchWebSockets(request.getServletContext());
        }
        if (health) {
            askToCloseIfDraining(request, response);
            return InFlightRequests.UNTRACKED;
        }
        if (!tracker.tryEnter()) {
            return null;
        }
        long start = startNanos == STARTS_NOW ? System.nanoTime() : startNanos;
        InFlightRequests.Slot slot = bound == null ? inFlight.enter(request, start) : inFlight.enter(bound, start);
        askToCloseIfDraining(request, response);
        return slot;
    }

    /**
     * The application returned from the request's first dispatch (normally or not): counts the
     * request out, or keeps it in flight if it went asynchronous, until its asynchronous cycle ends.
     *
     * @param slot     what {@link #enter} returned (not {@code null})
     * @param request  the request
     * @param response its response
     */
    public void exit(InFlightRequests.Slot slot, HttpServletRequest request, HttpServletResponse response) {
        if (slot == InFlightRequests.UNTRACKED) {
            return;
        }
        // Still inside the request's first dispatch: even if another thread already called
        // complete(), its effect waits until this dispatch returns, so the listener cannot miss the
        // end of the cycle.
        finish(slot, request, response, true, 0, RequestTracking::closeWhenComplete);
    }

    /**
     * For a hook called after the request's first dispatch has returned (Jetty's handler): counts
     * the request out, or, if it went asynchronous, returns what stays open until its response is
     * finished, which the hook closes then (closing is idempotent): the request itself, still
     * {@code "http"} work, or, for an event stream, its {@code "sse"} long-lived connection. An
     * {@code AsyncListener} added there could miss a cycle that already ended, so the hook closes it
     * from its server's own notice that the request is complete.
     *
     * @param slot       what {@link #admit} returned (not {@code null})
     * @param mayBeAsync {@code false} when the hook knows for sure that the request never started
     *                   asynchronous processing (it is then not asked)
     * @param beginNanos when the request began, as given to {@link #admit}: a request kept in no slot
     *                   ({@link InFlightRequests#COUNTED}) that went asynchronous is aged from it
     * @return the work to close when the response is finished, or {@code null}
     */
    public Work leave(
            InFlightRequests.Slot slot,
            HttpServletRequest request,
            HttpServletResponse response,
            boolean mayBeAsync,
            long beginNanos) {
        if (slot == InFlightRequests.UNTRACKED) {
            return null;
        }
        return finish(slot, request, response, mayBeAsync, beginNanos, (r, open) -> true);
    }

    /** How a hook has what stays open after the first dispatch closed when the response is finished. */
    @FunctionalInterface
    private interface CloseAtEnd {
        /** @return {@code false} when the request is over already, so the caller closes {@code open} now */
        boolean watch(HttpServletRequest request, Work open);
    }

    private static boolean closeWhenComplete(HttpServletRequest request, Work open) {
        try {
            request.getAsyncContext().addListener(new CompleteWork(open));
            return true;
        } catch (IllegalStateException alreadyOver) {
            return false;
        }
    }

    /** {@link #exit} and {@link #leave}: one order of steps, so the filter, the valve and the handler cannot drift. */
    private Work finish(
            InFlightRequests.Slot slot,
            HttpServletRequest request,
            HttpServletResponse response,
            boolean mayBeAsync,
            long beginNanos,
            CloseAtEnd closeAtEnd) {
        inFlight.leave(slot);
        Work open = null;
        // Asked once: Jetty answers under its request state's lock.
        if (mayBeAsync && request.isAsyncStarted()) {
            EventStream stream = EventStream.convert(request, response, sse);
            if (stream == null) {
                Work async = inFlight.async(slot, request, beginNanos);
                if (closeAtEnd.watch(request, async)) {
                    return async;
                }
                // The asynchronous cycle ended already: closing the work counts it out, once.
                askToCloseIfDraining(request, response);
                async.close();
                return null;
            }
            // An event stream is a long-lived connection from now on: its "http" work ends here, after
            // what ends the stream is in place.
            open = stream.handle();
            if (!closeAtEnd.watch(request, open)) {
                stream.close();
                open = null;
            }
        }
        askToCloseIfDraining(request, response);
        tracker.exit();
        return open;
    }

    private void askToCloseIfDraining(HttpServletRequest request, HttpServletResponse response) {
        if (graceful.state() == State.DRAINING
                && !response.isCommitted()
                && isHttp1(request)
                && request.getHeader("Upgrade") == null) {
            // Not on an upgrade: "Connection: close" on a 101 fails the WebSocket handshake, and a
            // WebSocket opened during the readiness delay is served like any other, then asked to leave.
            response.setHeader("Connection", "close");
        }
    }

    private static boolean isHttp1(HttpServletRequest request) {
        // HTTP/2 and HTTP/3 forbid the Connection header; their servers send GOAWAY instead.
        String protocol = request.getProtocol();
        return protocol != null && protocol.startsWith("HTTP/1.");
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(Refusal.STATUS);
        response.setHeader("Retry-After", Refusal.RETRY_AFTER_SECONDS);
        if (isHttp1(request)) {
            response.setHeader("Connection", "close");
        }
        response.setContentType(Refusal.CONTENT_TYPE);
        response.setContentLength(REFUSAL_BODY.length);
        response.getOutputStream().write(REFUSAL_BODY);
    }

    @Override
    public String toString() {
        return tracker.toString();
    }
}
