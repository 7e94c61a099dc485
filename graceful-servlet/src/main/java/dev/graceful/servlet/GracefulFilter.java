package dev.graceful.servlet;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.Refusal;
import dev.graceful.State;
import dev.graceful.Tracker;
import dev.graceful.servlet.internal.InFlightRequests;
import dev.graceful.servlet.internal.RequestTracking;
import dev.graceful.servlet.internal.WebSocketSessions;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;

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

    /** Tomcat's request path within the context (its {@code Globals.DISPATCHER_REQUEST_PATH_ATTR}). */
    private static final String TOMCAT_REQUEST_PATH = "org.apache.catalina.core.DISPATCHER_REQUEST_PATH";

    private final RequestTracking requests;
    private final String[] healthPaths;
    /**
     * Whether the container may hold Tomcat's request path: false once a request had none. Not
     * volatile: a thread that has not seen the change asks once more, and gets the same answer.
     */
    private boolean tomcatPath = true;

    private GracefulFilter(GracefulShutdown graceful, HealthEndpoint health) {
        this.requests = new RequestTracking(graceful, health);
        this.healthPaths = requests.healthPaths();
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
        requests.watchWebSockets(config.getServletContext());
    }

    /** The WebSocket sessions graceful watches on this filter's context, or {@code null}. */
    WebSocketSessions webSockets() {
        return requests.webSockets();
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (req instanceof HttpServletRequest request
                && res instanceof HttpServletResponse response
                && req.getDispatcherType() == DispatcherType.REQUEST) {
            InFlightRequests.Slot slot =
                    requests.enter(request, response, isHealthPath(request), RequestTracking.STARTS_NOW);
            if (slot != null) {
                try {
                    chain.doFilter(request, response);
                } finally {
                    requests.exit(slot, request, response);
                }
            }
        } else {
            // A forward, include, error or async dispatch belongs to a request already counted.
            chain.doFilter(req, res);
        }
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

    @Override
    public String toString() {
        return "GracefulFilter[" + requests + "]";
    }
}
