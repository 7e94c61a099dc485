package dev.graceful.servlet.tomcat;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.servlet.GracefulFilter;
import dev.graceful.servlet.HealthServlet;
import dev.graceful.servlet.internal.ContextSetup;
import dev.graceful.servlet.internal.InFlightRequests;
import dev.graceful.servlet.internal.RequestTracking;
import dev.graceful.servlet.internal.WebSocketSessions;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.Objects;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.tomcat.util.buf.MessageBytes;

/**
 * The {@link GracefulFilter} as a Tomcat valve, for embedded Tomcat 11: it does exactly what the
 * filter does (tracks each request, {@code Connection: close} while draining, a 503 after the final
 * close, event streams and WebSockets as long-lived connections), at less cost per request.
 * Tomcat builds a filter chain for every request that a filter is mapped to, matching each
 * mapping against the request's path; a valve of the context's pipeline is called directly, with
 * Tomcat's own request, whose path it compares with the health paths without making a string.
 *
 * <pre>{@code
 * Context context = tomcat.addContext("", null);
 * GracefulValve.install(context, graceful);        // instead of GracefulServlet.initializer
 * TomcatParticipant.register(graceful, tomcat);
 * tomcat.start();
 * }</pre>
 *
 * <p>A WAR deployed into a standalone Tomcat keeps the filter, which its container discovers.
 */
public final class GracefulValve extends ValveBase {

    /**
     * The note of Tomcat's request object that keeps graceful's slot: Tomcat reserves notes 0-8 to
     * the container and 9-16 to connectors, and leaves 17-31 to others.
     */
    static final int SLOT_NOTE = 29;

    private final RequestTracking requests;
    private final String[] healthPaths;

    private GracefulValve(GracefulShutdown graceful, HealthEndpoint health) {
        super(true);
        this.requests = new RequestTracking(graceful, health);
        this.healthPaths = requests.healthPaths();
    }

    /**
     * Adds the valve first in {@code context}'s pipeline and, when the context starts, the health
     * servlet on the default health paths. Call it before the context starts.
     *
     * @param context  the context (not started)
     * @param graceful the coordinator
     * @return the valve
     */
    public static GracefulValve install(Context context, GracefulShutdown graceful) {
        return install(context, graceful, HealthEndpoint.of(Objects.requireNonNull(graceful, "graceful")));
    }

    /**
     * Adds the valve first in {@code context}'s pipeline and, when the context starts, a health
     * servlet on the paths of {@code health}. Call it before the context starts.
     *
     * @param context  the context (not started)
     * @param graceful the coordinator
     * @param health   the health endpoint (its paths are served by the health servlet and not tracked)
     * @return the valve
     * @throws IllegalStateException when the context has started, or (as it starts) when graceful's
     *                               filter is installed on it too, or graceful with another coordinator
     */
    public static GracefulValve install(Context context, GracefulShutdown graceful, HealthEndpoint health) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(graceful, "graceful");
        Objects.requireNonNull(health, "health");
        if (context.getState().isAvailable()) {
            throw new IllegalStateException(
                    "context '" + context.getPath() + "' has started: install graceful's valve before it starts");
        }
        GracefulValve valve = new GracefulValve(graceful, health);
        context.getPipeline().addValve(valve);
        context.addServletContainerInitializer(
                ContextSetup.forHook("a valve", graceful, health, HealthServlet.create(health)), null);
        // After every initializer ran: the WebSocket container, if any, is published by now.
        context.addLifecycleListener(event -> {
            if (Lifecycle.AFTER_START_EVENT.equals(event.getType())) {
                valve.requests.watchWebSockets(context.getServletContext());
            }
        });
        return valve;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        // Tomcat runs the pipeline again for an asynchronous dispatch (the request's dispatcher type
        // still says REQUEST there): a request that went asynchronous is already counted.
        if (request.getAsyncContextInternal() != null) {
            getNext().invoke(request, response);
            return;
        }
        InFlightRequests.Slot slot =
                requests.enter(request, response, isHealthPath(request), startNanos(request), slot(request));
        if (slot != null) {
            try {
                getNext().invoke(request, response);
            } finally {
                requests.exit(slot, request, response);
            }
        }
    }

    /**
     * The slot graceful keeps this request in while it is in flight: bound once to Tomcat's request
     * object, which Tomcat reuses for request after request on an HTTP/1.1 or AJP connection, and
     * kept in a note of that object; {@code null} (the thread's slot then) for an HTTP/2 stream,
     * whose request object serves that stream only, or when the note is taken (by the valve of
     * another context the same request object served first).
     */
    private InFlightRequests.Slot slot(Request request) {
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        Object note = coyote.getNote(SLOT_NOTE);
        InFlightRequests inFlight = requests.inFlight();
        if (note instanceof InFlightRequests.Slot slot && inFlight.owns(slot)) {
            return slot;
        }
        if (note != null || coyote.protocol().equals("HTTP/2.0")) {
            return null;
        }
        InFlightRequests.Slot slot = inFlight.bind(request);
        coyote.setNote(SLOT_NOTE, slot);
        return slot;
    }

    /** Whether the request asks for a health path: Tomcat's own path within the context, compared in place. */
    private boolean isHealthPath(Request request) {
        MessageBytes path = request.getRequestPathMB();
        for (String p : healthPaths) {
            if (path.equals(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * When Tomcat read the request's first line, on {@link System#nanoTime()}'s scale: Tomcat records
     * it for every request (its access log reads it), so the valve does not read the clock again.
     */
    private static long startNanos(Request request) {
        long start = request.getCoyoteRequest().getStartTimeNanos();
        // -1: not recorded (Tomcat's value for a recycled request).
        return start == -1 ? RequestTracking.STARTS_NOW : start;
    }

    /** The WebSocket sessions graceful watches on this valve's context, or {@code null}. */
    WebSocketSessions webSockets() {
        return requests.webSockets();
    }

    @Override
    public String toString() {
        return "GracefulValve[" + requests + "]";
    }
}
