package dev.graceful;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The framework-neutral health endpoint: maps an HTTP method and path to a status and a small
 * JSON body from a {@link GracefulShutdown}'s state. Every adapter (servlet, Netty, Spring Boot,
 * the standalone {@link HealthServer}) answers through this one class, so they all behave alike:
 *
 * <ul>
 *   <li>readiness paths (default {@code /healthz} and {@code /readyz}): 200 when
 *   {@link GracefulShutdown#isReady()}, else 503;</li>
 *   <li>liveness paths (default {@code /livez}): 200 when {@link GracefulShutdown#isLive()}, else 503;</li>
 *   <li>{@code GET} and {@code HEAD} only (HEAD: same status, no body); any other method gets 405
 *   with {@code Allow: GET, HEAD} and changes nothing; an unknown path gets 404.</li>
 * </ul>
 *
 * <p>The body looks like
 * {@code {"status":"DOWN","probe":"readiness","state":"DRAINING","phase":"AWAITING_IN_FLIGHT","inFlight":3}},
 * plus, when readiness checks fail, their names and why:
 * {@code "failing":["db"],"reasons":{"db":"timed out after 500ms"}} (see
 * {@link GracefulShutdown#readinessFailures()}). Answering reads a few volatile fields and runs the
 * readiness checks, waiting at most {@link GracefulConfig#readinessCheckTimeout()} for them: it
 * never takes an application lock.
 */
public final class HealthEndpoint {

    /** Default readiness paths. */
    public static final Set<String> DEFAULT_READINESS_PATHS = Set.of("/healthz", "/readyz");
    /** Default liveness paths. */
    public static final Set<String> DEFAULT_LIVENESS_PATHS = Set.of("/livez");
    /** The content type of every body. */
    public static final String CONTENT_TYPE = "application/json";
    /** The methods answered. */
    public static final String ALLOW = "GET, HEAD";

    private final GracefulShutdown graceful;
    private final Set<String> readinessPaths;
    private final Set<String> livenessPaths;

    private HealthEndpoint(GracefulShutdown graceful, Set<String> readinessPaths, Set<String> livenessPaths) {
        this.graceful = graceful;
        this.readinessPaths = readinessPaths;
        this.livenessPaths = livenessPaths;
    }

    /**
     * An endpoint on the default paths.
     *
     * @param graceful whose state to report
     * @return the endpoint
     */
    public static HealthEndpoint of(GracefulShutdown graceful) {
        return of(graceful, DEFAULT_READINESS_PATHS, DEFAULT_LIVENESS_PATHS);
    }

    /**
     * An endpoint on the given paths.
     *
     * @param graceful       whose state to report
     * @param readinessPaths paths answering readiness; each starts with {@code /}
     * @param livenessPaths  paths answering liveness; each starts with {@code /}, none shared with readiness
     * @return the endpoint
     * @throws IllegalArgumentException naming a bad or shared path
     */
    public static HealthEndpoint of(
            GracefulShutdown graceful, Collection<String> readinessPaths, Collection<String> livenessPaths) {
        Objects.requireNonNull(graceful, "graceful");
        Set<String> readiness = checkPaths("readinessPaths", readinessPaths);
        Set<String> liveness = checkPaths("livenessPaths", livenessPaths);
        for (String p : liveness) {
            if (readiness.contains(p)) {
                throw new IllegalArgumentException("health path '" + p + "' is both a readiness and a liveness path");
            }
        }
        return new HealthEndpoint(graceful, readiness, liveness);
    }

    private static Set<String> checkPaths(String field, Collection<String> paths) {
        Objects.requireNonNull(paths, field);
        Set<String> copy = new LinkedHashSet<>();
        for (String p : paths) {
            if (p == null || !p.startsWith("/") || p.length() > 256 || p.chars().anyMatch(c -> c <= ' ' || c == '?')) {
                throw new IllegalArgumentException(
                        field + " must hold absolute paths such as /healthz, got '" + p + "'");
            }
            copy.add(p);
        }
        return Set.copyOf(copy);
    }

    /** The coordinator whose state this endpoint reports. */
    GracefulShutdown graceful() {
        return graceful;
    }

    /**
     * Whether this endpoint answers the path (adapters route only these paths to it).
     *
     * @param path the request path, without query string
     * @return {@code true} for a readiness or liveness path
     */
    public boolean handles(String path) {
        return readinessPaths.contains(path) || livenessPaths.contains(path);
    }

    /** The readiness paths. */
    public Set<String> readinessPaths() {
        return readinessPaths;
    }

    /** The liveness paths. */
    public Set<String> livenessPaths() {
        return livenessPaths;
    }

    /**
     * Answers one request.
     *
     * @param method the HTTP method
     * @param path   the request path, without query string
     * @return the answer; for {@code HEAD}, send the status and headers without the body
     */
    public Response respond(String method, String path) {
        return respond(method, path, null, null);
    }

    /**
     * Answers one request from a known peer. A readiness answer (GET or HEAD on a readiness path)
     * is reported to {@link GracefulShutdown#readinessAnswered}, so the probe-aware readiness delay
     * ({@link GracefulConfig#readinessProbes()}) sees the prober; liveness answers are not.
     *
     * @param method        the HTTP method
     * @param path          the request path, without query string
     * @param remoteAddress the peer's IP address without port, or {@code null} when unknown
     * @param userAgent     the request's {@code User-Agent}, or {@code null} when it has none
     * @return the answer; for {@code HEAD}, send the status and headers without the body
     */
    public Response respond(String method, String path, String remoteAddress, String userAgent) {
        boolean readiness = readinessPaths.contains(path);
        if (!readiness && !livenessPaths.contains(path)) {
            return new Response(404, "{\"status\":\"NOT_FOUND\"}", null);
        }
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return new Response(405, "{\"status\":\"METHOD_NOT_ALLOWED\"}", ALLOW);
        }
        // Read the phase first: the JSON must never claim UP for a phase that is not serving.
        Phase phase = graceful.phase();
        boolean up;
        Map<String, String> failing = Map.of();
        if (readiness) {
            failing = graceful.readinessFailures();
            up = phase == Phase.READY && failing.isEmpty();
        } else {
            up = phase.state().isLive();
        }
        StringBuilder json = new StringBuilder(128)
                .append("{\"status\":\"")
                .append(up ? "UP" : "DOWN")
                .append("\",\"probe\":\"")
                .append(readiness ? "readiness" : "liveness")
                .append("\",\"state\":\"")
                .append(phase.state())
                .append("\",\"phase\":\"")
                .append(phase)
                .append("\",\"inFlight\":")
                .append(graceful.inFlight());
        if (!failing.isEmpty()) {
            json.append(",\"failing\":[");
            boolean first = true;
            for (String name : failing.keySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                appendJsonString(json, name);
            }
            json.append("],\"reasons\":{");
            first = true;
            for (Map.Entry<String, String> failure : failing.entrySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                appendJsonString(json, failure.getKey());
                json.append(':');
                appendJsonString(json, failure.getValue());
            }
            json.append('}');
        }
        json.append('}');
        if (readiness && remoteAddress != null) {
            graceful.readinessAnswered(remoteAddress, userAgent, up);
        }
        return new Response(up ? 200 : 503, json.toString(), null);
    }

    private static void appendJsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    /**
     * One answer.
     *
     * @param status the HTTP status
     * @param body   the JSON body (omit it for HEAD)
     * @param allow  the {@code Allow} header value for a 405, else {@code null}
     */
    public record Response(int status, String body, String allow) {

        /**
         * Validates the components.
         *
         * @param status the HTTP status
         * @param body   the JSON body
         * @param allow  the {@code Allow} header value, or {@code null}
         */
        public Response {
            Objects.requireNonNull(body, "body");
        }
    }
}
