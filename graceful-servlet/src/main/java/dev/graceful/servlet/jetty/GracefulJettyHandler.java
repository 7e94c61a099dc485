package dev.graceful.servlet.jetty;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.Refusal;
import dev.graceful.Work;
import dev.graceful.servlet.GracefulFilter;
import dev.graceful.servlet.HealthServlet;
import dev.graceful.servlet.internal.ContextSetup;
import dev.graceful.servlet.internal.InFlightRequests;
import dev.graceful.servlet.internal.RequestTracking;
import dev.graceful.servlet.internal.WebSocketSessions;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.eclipse.jetty.ee11.servlet.ServletApiRequest;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The {@link GracefulFilter} as a Jetty handler, for embedded Jetty 12 (ee11): it does exactly
 * what the filter does (tracks each request, {@code Connection: close} while draining, a 503 after
 * the final close, event streams and WebSockets as long-lived connections), at less cost per
 * request. It sits inside the servlet context, where Jetty has already matched the request to a
 * servlet: it is called once per request the client sent (never for a forward, include or
 * asynchronous dispatch), without a filter chain, and reads the path within the context and the
 * request's start from what Jetty already holds.
 *
 * <pre>{@code
 * ServletContextHandler context = new ServletContextHandler();
 * GracefulJettyHandler.install(context, graceful);   // instead of GracefulServlet.initializer
 * server.setHandler(context);
 * JettyParticipant.register(graceful, server);
 * server.start();
 * }</pre>
 *
 * <p>A WAR deployed into a standalone Jetty keeps the filter, which its container discovers.
 */
public final class GracefulJettyHandler extends Handler.Wrapper {

    private static final byte[] REFUSAL_BODY = Refusal.body();

    private final RequestTracking requests;
    private final String[] healthPaths;
    private final JettyInternals.AsyncStarts asyncStarts;
    /**
     * {@link InFlightRequests#COUNTED} once the context started on a server whose requests
     * {@link JettyServletRequests} can list: a request then writes no reference anywhere (the
     * thread's slot was most of what the handler cost a request: docs/BENCHMARKS.md). Else
     * {@code null}: each request is kept in its thread's slot. Set as the context starts; a request
     * thread that still sees {@code null} keeps its request in its slot, which is described too.
     */
    private InFlightRequests.Slot admitAs;

    private GracefulJettyHandler(
            GracefulShutdown graceful, HealthEndpoint health, JettyInternals.AsyncStarts asyncStarts) {
        this.requests = new RequestTracking(graceful, health);
        this.healthPaths = requests.healthPaths();
        this.asyncStarts = asyncStarts;
    }

    /**
     * Inserts the handler into {@code context} (first among the handlers inside it) and, when the
     * context starts, the health servlet on the default health paths. Call it before the context
     * starts.
     *
     * @param context  the context (not started)
     * @param graceful the coordinator
     * @return the handler
     */
    public static GracefulJettyHandler install(ServletContextHandler context, GracefulShutdown graceful) {
        return install(context, graceful, HealthEndpoint.of(Objects.requireNonNull(graceful, "graceful")));
    }

    /**
     * Inserts the handler into {@code context} (first among the handlers inside it) and, when the
     * context starts, a health servlet on the paths of {@code health}. Call it before the context
     * starts.
     *
     * @param context  the context (not started)
     * @param graceful the coordinator
     * @param health   the health endpoint (its paths are served by the health servlet and not tracked)
     * @return the handler
     * @throws IllegalStateException when the context has started, or (as it starts) when graceful's
     *                               filter is installed on it too, or graceful with another coordinator
     */
    public static GracefulJettyHandler install(
            ServletContextHandler context, GracefulShutdown graceful, HealthEndpoint health) {
        return install(context, graceful, health, JettyInternals.AsyncStarts.running(), JettyInternals.running());
    }

    /**
     * As {@link #install(ServletContextHandler, GracefulShutdown, HealthEndpoint)}, reading Jetty as
     * {@code asyncStarts} and {@code internals} allow (tests).
     */
    static GracefulJettyHandler install(
            ServletContextHandler context,
            GracefulShutdown graceful,
            HealthEndpoint health,
            JettyInternals.AsyncStarts asyncStarts,
            JettyInternals internals) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(graceful, "graceful");
        Objects.requireNonNull(health, "health");
        if (!context.isStopped()) {
            throw new IllegalStateException("context '" + context.getContextPath()
                    + "' has started: install graceful's handler before it starts");
        }
        GracefulJettyHandler handler = new GracefulJettyHandler(graceful, health, asyncStarts);
        context.insertHandler(handler);
        context.addServletContainerInitializer(
                ContextSetup.forHook("a handler", graceful, health, HealthServlet.create(health)));
        // After every initializer ran: the WebSocket container, if any, is published by now.
        context.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                handler.requests.watchWebSockets(context.getServletContext());
                JettyServletRequests listed = JettyServletRequests.of(context, handler, internals);
                handler.requests.inFlight().describedBy(listed);
                handler.admitAs = listed == null ? null : InFlightRequests.COUNTED;
            }
        });
        return handler;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        ServletContextRequest servlet = Request.as(request, ServletContextRequest.class);
        if (servlet == null) {
            // No servlet matched: the request is not the application's (Jetty answers it).
            return super.handle(request, response, callback);
        }
        ServletApiRequest apiRequest = servlet.getServletApiRequest();
        HttpServletResponse apiResponse = servlet.getHttpServletResponse();
        long begin = request.getBeginNanoTime();
        InFlightRequests.Slot slot = requests.admit(
                apiRequest, apiResponse, isHealthPath(servlet.getDecodedPathInContext()), begin, admitAs);
        if (slot == null) {
            refuse(request, response, callback);
            return true;
        }
        try {
            return super.handle(request, response, callback);
        } finally {
            // The servlet's first dispatch has returned, and Jetty completes the request (and so
            // recycles its servlet objects) only after this handler returns: they are all still this
            // request's. An AsyncListener added now could miss a completion that has already
            // happened, so what stays open is closed when Jetty completes the request instead.
            Work open = requests.leave(slot, apiRequest, apiResponse, !asyncStarts.neverStarted(apiRequest), begin);
            if (open != null) {
                Request.addCompletionListener(request, failure -> open.close());
            }
        }
    }

    /** Whether the path within the context is a health path (not tracked). */
    boolean isHealthPath(String pathInContext) {
        for (String p : healthPaths) {
            if (p.equals(pathInContext)) {
                return true;
            }
        }
        return false;
    }

    /** Core's {@link Refusal}, written by Jetty's core API: the servlet layer never sees the request. */
    private static void refuse(Request request, Response response, Callback callback) {
        response.setStatus(Refusal.STATUS);
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Refusal.RETRY_AFTER_SECONDS);
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        if (version == HttpVersion.HTTP_1_0 || version == HttpVersion.HTTP_1_1) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Refusal.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, REFUSAL_BODY.length);
        response.write(true, ByteBuffer.wrap(REFUSAL_BODY), callback);
    }

    /** Whether requests are counted in no slot, listed from Jetty's connections when described. */
    boolean countsOnly() {
        return admitAs == InFlightRequests.COUNTED;
    }

    /** The WebSocket sessions graceful watches on this handler's context, or {@code null}. */
    WebSocketSessions webSockets() {
        return requests.webSockets();
    }

    @Override
    public String toString() {
        return "GracefulJettyHandler[" + requests + "]";
    }
}
