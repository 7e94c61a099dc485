package dev.graceful.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The small application every adapter under test serves, so that the kit's scenarios can talk
 * to any server the same way. Route these paths on the server's <em>application port</em>, behind
 * the adapter's request tracking, and delegate to this object; the adapter's health handler
 * answers {@code /healthz}, {@code /readyz} and {@code /livez} on the same port.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><th>route</th><th>behaviour</th></tr>
 *   <tr><td>{@code GET /}</td><td>200, body {@link #hello(long) hello(0)}</td></tr>
 *   <tr><td>{@code POST /}</td><td>read the whole request body, then 200 with body {@link #hello(long) hello(n)}
 *   where n is the number of bytes read</td></tr>
 *   <tr><td>{@code GET|POST /hold?id=X}</td><td>read the whole request body (n bytes), call
 *   {@link #hold(String, long) hold(X, n)}, and when the returned stage completes answer 200 with its
 *   value as body. Do not block an event loop on it: chain on the stage (a servlet may block its
 *   request thread or go async).</td></tr>
 *   <tr><td>{@code GET /stream?id=X}</td><td>200 with a body of unknown length (chunked): write
 *   {@link #STREAM_HEAD}, flush it so the response is committed, call {@link #hold(String, long) hold(X, 0)}
 *   and when that completes write {@link #STREAM_TAIL} and end the response.</td></tr>
 *   <tr><td>{@code GET /ws}</td><td>a WebSocket; each text message is echoed back unchanged, as one text
 *   message. Register each connection, once its upgrade is done, with
 *   {@code graceful.longLived(}{@link #WEBSOCKET_KIND}{@code ).open("GET /ws", departure)}: its
 *   {@code goAway()} sends a Close frame with status {@link #GOING_AWAY} (1001) and returns, its
 *   {@code cut()} closes the TCP connection; the handle is closed when the connection has closed,
 *   however it closed (the close handshake done, the peer gone, or cut).</td></tr>
 *   <tr><td>{@code GET /events}</td><td>200, {@code Content-Type: }{@link #EVENT_STREAM_TYPE}, a body of
 *   unknown length (chunked): write {@link #event(long) event(1)} at once and flush it (the response is
 *   committed), then {@link #event(long) event(n)} for n = 2, 3, ... every {@link #EVENT_INTERVAL}, each
 *   flushed, until the client leaves or graceful asks the stream to leave. Register it with
 *   {@code graceful.longLived(}{@link #SSE_KIND}{@code ).open("GET /events", departure)}: its
 *   {@code goAway()} stops the events and ends the response in order (after the event being written,
 *   never inside one: the chunked terminator, then the connection closes cleanly, never a reset), its
 *   {@code cut()} closes the connection; close the handle when the connection has closed.</td></tr>
 * </table>
 *
 * <p>The bodies of the other routes are {@code text/plain; charset=UTF-8}. {@code /ws} and
 * {@code /events} are long-lived connections: they do not count as in-flight requests (do not
 * track them with the adapter's request tracker); a text message being echoed or an event being
 * written when the drain starts must still be finished.
 */
public final class KitApp {

    /** First part of a {@code /stream} body, written and flushed before waiting. */
    public static final String STREAM_HEAD = "first\n";
    /** Second part of a {@code /stream} body, written after the release. */
    public static final String STREAM_TAIL = "last\n";

    /** The {@code graceful.longLived(kind)} kind of {@code /ws} connections. */
    public static final String WEBSOCKET_KIND = "websocket";
    /** The {@code graceful.longLived(kind)} kind of {@code /events} streams. */
    public static final String SSE_KIND = "sse";
    /** The WebSocket close status {@code /ws} connections are asked to leave with (Going Away). */
    public static final int GOING_AWAY = 1001;
    /** The reason sent with {@link #GOING_AWAY}. */
    public static final String GOING_AWAY_REASON = "going away";
    /** The {@code Content-Type} of {@code /events}. */
    public static final String EVENT_STREAM_TYPE = "text/event-stream";
    /** The time between two events of {@code /events}. */
    public static final Duration EVENT_INTERVAL = Duration.ofMillis(100);

    /**
     * The text of one event of {@code /events}, to write as it is (UTF-8).
     *
     * @param n the event's number, from 1
     * @return {@code "data: kit N\n\n"}
     * @throws IllegalArgumentException when {@code n < 1}
     */
    public static String event(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("events are numbered from 1, was " + n);
        }
        return "data: kit " + n + "\n\n";
    }

    private final Map<String, CompletableFuture<String>> held = new ConcurrentHashMap<>();
    private final Set<String> started = ConcurrentHashMap.newKeySet();

    /**
     * The body for {@code /}.
     *
     * @param bodyBytes request body bytes read (0 for GET)
     * @return the response body
     */
    public String hello(long bodyBytes) {
        return bodyBytes == 0 ? "hello" : "hello " + bodyBytes;
    }

    /**
     * Starts a held request: the kit releases it when its scenario says so.
     *
     * @param id        the request's id (from the query string)
     * @param bodyBytes request body bytes read
     * @return completes with the response body ({@code "released X"} or {@code "released X n"})
     *         once the kit releases {@code id}
     */
    public CompletionStage<String> hold(String id, long bodyBytes) {
        started.add(id);
        return future(id).thenApply(v -> bodyBytes == 0 ? "released " + id : "released " + id + " " + bodyBytes);
    }

    private CompletableFuture<String> future(String id) {
        return held.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    /**
     * Whether the server has called {@link #hold(String, long)} for {@code id}: the request reached
     * the application.
     *
     * @param id the request's id
     * @return {@code true} once held
     */
    public boolean isHeld(String id) {
        return started.contains(id);
    }

    /**
     * Completes a held request (also one not yet arrived).
     *
     * @param id the request's id
     */
    public void release(String id) {
        future(id).complete(id);
    }

    /** Completes every held request; the kit calls it after each scenario. */
    public void releaseAll() {
        held.values().forEach(f -> f.complete(""));
    }
}
