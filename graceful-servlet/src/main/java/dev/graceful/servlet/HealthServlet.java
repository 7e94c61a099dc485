package dev.graceful.servlet;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Serves {@code /healthz}, {@code /readyz} and {@code /livez} (or the paths of the given
 * {@link HealthEndpoint}) on the application port, through graceful-core's
 * {@link HealthEndpoint}: readiness turns 503 the moment a shutdown starts, liveness stays 200
 * until the end, {@code HEAD} answers the same status without a body, other methods get 405 with
 * {@code Allow}. Map it on exactly the endpoint's paths ({@link GracefulServlet#install} does).
 */
public final class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient HealthEndpoint endpoint;

    private HealthServlet(HealthEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * A servlet on the default paths.
     *
     * @param graceful whose state to report
     * @return the servlet
     */
    public static HealthServlet create(GracefulShutdown graceful) {
        return create(HealthEndpoint.of(Objects.requireNonNull(graceful, "graceful")));
    }

    /**
     * A servlet answering through {@code endpoint}.
     *
     * @param endpoint the health endpoint
     * @return the servlet
     */
    public static HealthServlet create(HealthEndpoint endpoint) {
        return new HealthServlet(Objects.requireNonNull(endpoint, "endpoint"));
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        String path = request.getRequestURI().substring(request.getContextPath().length());
        HealthEndpoint.Response answer =
                endpoint.respond(method, path, request.getRemoteAddr(), request.getHeader("User-Agent"));
        response.setStatus(answer.status());
        response.setContentType(HealthEndpoint.CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        if (answer.allow() != null) {
            response.setHeader("Allow", answer.allow());
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        if (!"HEAD".equals(method)) {
            response.getOutputStream().write(body);
        }
    }
}
