package dev.graceful.servlet;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.LongLived;
import dev.graceful.Refusal;
import dev.graceful.State;
import dev.graceful.Tracker;
import dev.graceful.Work;
import dev.graceful.servlet.internal.CompleteWork;
import dev.graceful.servlet.internal.EventStream;
import dev.graceful.servlet.internal.InFlightRequests;
import dev.graceful.servlet.internal.WebSocketSessions;
import dev.graceful.servlet.internal.WebSocketWatch;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Tracks every request as in-flight {@code "http"} work of a {@link GracefulShutdown}, and shapes
 * responses while the service shuts down. Map it first, on {@code /*}, for the {@code REQUEST}
 * dispatcher type, with async support ({@link GracefulServlet#install} does exactly that).
 *
 * <ul>
 *   <li>Each request is one unit of work, so a request still running when the drain times out is
 *   reported as {@code "METHOD /path"} with its age. Nothing is allocated or formatted per request
 *   for it: the request is counted with {@link Tracker#tryEnter()} and described, only when the
 *   deadline comes, from the request object itself (see {@code InFlightRequests}, which the filter
 *   registers with the coordinator as a describing {@link dev.graceful.Participant}). A synchronous request is counted
 *   out when the filter chain returns; an asynchronous one when its response is really finished
 *   (the {@code AsyncListener.onComplete} that ends its last asynchronous cycle, after a
 *   {@code complete()}, a dispatch, a timeout, an error or a client abort), exactly once.</li>
 *   <li>While the state is {@link State#DRAINING} requests are served as usual, and an HTTP/1.x
 *   response that is not committed yet carries {@code Connection: close}, so the client reconnects
 *   elsewhere.</li>
 *   <li>After the final close (the drain has finished or timed out) a request is answered with
 *   core's {@link Refusal} (a {@code 503} with {@code Retry-After: 1}, and on HTTP/1.x
 *   {@code Connection: close}), without reaching the application: clients retry it on another
 *   instance.</li>
 *   <li>Health paths (those of the {@link HealthEndpoint}) are not tracked, so probes are answered
 *   through every phase of the shutdown.</li>
 *   <li>Long-lived connections do not hold the drain. An asynchronous response whose content type
 *   is {@code text/event-stream} (or declared with {@link GracefulStreams#eventStream}) is counted
 *   out of {@code "http"} when its first dispatch returns and becomes an {@code "sse"} long-lived
 *   connection, asked to leave when the listeners close. The Jakarta WebSocket sessions of the
 *   context (Jetty 12 ee11, Tomcat 11) are {@code "websocket"} ones, sent Close 1001.</li>
 * </ul>
 */
public final class GracefulFilter implements Filter {

    /** The value of {@code Retry-After} on refusals, in seconds: {@link Refusal#RETRY_AFTER_SECONDS}. */
    public static final String RETRY_AFTER_SECONDS = Refusal.RETRY_AFTER_SECONDS;

    private static final byte[] REFUSAL_BODY = Refusal.body();
    /** Tomcat's request path within the context (its {@code Globals.DISPATCHER_REQUEST_PATH_ATTR}). */
    private static final String TOMCAT_REQUEST_PATH = "org.apache.catalina.core.DISPATCHER_REQUEST_PATH";

    private final GracefulShutdown graceful;
    private final Tracker tracker;
    private final String[] healthPaths;
    private final InFlightRequests inFlight;
    private final LongLived sse;
    /**
     * Whether the container may hold Tomcat's request path: false once a request had none. Not
     * volatile: a thread that has not seen the change asks once more, and gets the same answer.
     */
    private boolean tomcatPath = true;
    /** The context's WebSocket sessions once watched; looked for again at upgrade requests until found. */
    private volatile WebSocketSessions webSockets;

    private GracefulFilter(GracefulShutdown graceful, HealthEndpoint health) {
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

    /**
     * A filter for {@code graceful}, leaving the default health paths untracked.
     *
     * @param graceful the coordinator whose {@code "http"} tracker counts requests
     * @return the filter
     */
    public static GracefulFilter create(GracefulShutdown graceful) {
        return create(graceful, HealthEndpoint.of(Objects.requireNonNull(graceful, "graceful")));
    }

    /**
     * A filter for {@code graceful}, leaving the paths of {@code health} untracked.
     *
     * @param graceful the coordinator whose {@code "http"} tracker counts requests
     * @param health   the health endpoint served on the same context
     * @return the filter
     */
    public static GracefulFilter create(GracefulShutdown graceful, HealthEndpoint health) {
        return new GracefulFilter(
                Objects.requireNonNull(graceful, "graceful"), Objects.requireNonNull(health, "health"));
    }

    @Override
    public void init(FilterConfig config) {
        // After every initializer ran: the WebSocket container, if any, is published by now.
        watchWebSockets(config.getServletContext());
    }

    private void watchWebSockets(ServletContext context) {
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

    /** The WebSocket sessions graceful watches on this filter's context, or {@code null}. */
    WebSocketSessions webSockets() {
        return webSockets;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest)
                || !(res instanceof HttpServletResponse)
                || req.getDispatcherType() != DispatcherType.REQUEST) {
            // A forward, include, error or async dispatch belongs to a request already counted.
            chain.doFilter(req, res);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (webSockets == null && request.getHeader("Upgrade") != null) {
            watchWebSockets(request.getServletContext());
        }
        if (isHealthPath(request)) {
            askToCloseIfDraining(request, response);
            chain.doFilter(req, res);
            return;
        }
        if (!tracker.tryEnter()) {
            refuse(request, response);
            return;
        }
        InFlightRequests.Slot slot = inFlight.enter(request, System.nanoTime());
        askToCloseIfDraining(request, response);
        Work async = null;
        try {
            chain.doFilter(req, res);
        } finally {
            inFlight.leave(slot);
            // Still inside the request's first dispatch: even if another thread already called
            // complete(), its effect waits until this dispatch returns, so the listener below
            // cannot miss the end of the cycle.
            // Asked once: Jetty answers under its request state's lock.
            boolean asyncStarted = request.isAsyncStarted();
            if (asyncStarted && openEventStream(request, response)) {
                // A long-lived connection now: the request's "http" work ends with this dispatch.
                async = null;
            } else if (asyncStarted) {
                async = inFlight.async(slot, request);
                try {
                    request.getAsyncContext().addListener(new CompleteWork(async));
                } catch (IllegalStateException alreadyOver) {
                    // The asynchronous cycle ended already: count out now.
                    async.close();
                    async = null;
                }
            }
            if (async == null) {
                askToCloseIfDraining(request, response);
                tracker.exit();
            }
        }
    }

    /** Whether the asynchronous response is an event stream; if so it is opened as an {@code "sse"} connection. */
    private boolean openEventStream(HttpServletRequest request, HttpServletResponse response) {
        EventStream stream = EventStream.convert(request, response, sse);
        if (stream == null) {
            return false;
        }
        try {
            request.getAsyncContext().addListener(new CompleteWork(stream.handle()));
        } catch (IllegalStateException alreadyOver) {
            stream.close();
        }
        return true;
    }

    /** Whether the request asks for a health path, read without allocating. */
    private boolean isHealthPath(HttpServletRequest request) {
        // Tomcat decodes getRequestURI() from bytes into a new string (through a char buffer) on
        // every request; this attribute, the path within the context that Tomcat matches filter
        // mappings against, is made from chars it already decoded: a third of the allocation
        // (JFR, docs/BENCHMARKS.md). Only a Valve could read it without any string.
        if (tomcatPath) {
            if (request.getAttribute(TOMCAT_REQUEST_PATH) instanceof String path) {
                for (String p : healthPaths) {
                    if (p.equals(path)) {
                        return true;
                    }
                }
                return false;
            }
            // Another container (Jetty holds the URI as a string already): looking the attribute
            // up through its request's layers cost Jetty more than the check itself (JFR,
            // docs/BENCHMARKS.md).
            tomcatPath = false;
        }
        String uri = request.getRequestURI();
        int from = request.getContextPath().length();
        for (String p : healthPaths) {
            if (uri.length() - from == p.length() && uri.startsWith(p, from)) {
                return true;
            }
        }
        return false;
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
        return "GracefulFilter[" + tracker + "]";
    }
}
