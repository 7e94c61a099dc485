package dev.graceful.testkit;

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
 * </table>
 *
 * <p>All bodies are {@code text/plain; charset=UTF-8}.
 */
public final class KitApp {

    /** First part of a {@code /stream} body, written and flushed before waiting. */
    public static final String STREAM_HEAD = "first\n";
    /** Second part of a {@code /stream} body, written after the release. */
    public static final String STREAM_TAIL = "last\n";

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
