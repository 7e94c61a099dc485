package dev.graceful.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends requests every way the Servlet API allows, on the test's command or on a timer:
 * {@code GET /m?mode=M&id=X[&after=micros]}.
 *
 * <ul>
 *   <li>{@code sync}: blocks the request thread until released, then answers;</li>
 *   <li>{@code answered}: answers at once, with its {@code Content-Length} set as a plain header
 *   (as Spring MVC does, so the container does not know the body is complete) and flushed, then
 *   blocks the request thread until released: the client has the whole response, and the
 *   container finishes the exchange only when released;</li>
 *   <li>{@code answered-async}: the same, asynchronously: {@code complete()} when released;</li>
 *   <li>{@code complete}: goes async, answers and calls {@code complete()} when released;</li>
 *   <li>{@code dispatch}: goes async, dispatches back when released; the dispatch answers;</li>
 *   <li>{@code redispatch}: goes async, dispatches back, and the dispatch goes async once more
 *   and completes at once from another thread (a second asynchronous cycle);</li>
 *   <li>{@code error}: goes async, dispatches back when released, and the dispatch throws;</li>
 *   <li>{@code timeout}: goes async with a 100 ms timeout and never answers.</li>
 * </ul>
 *
 * <p>With {@code after}, the release happens by itself that many microseconds later (the
 * randomized mix); without, the test calls {@link #release(String)}.
 */
public final class ModesServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient Map<String, CompletableFuture<Void>> releases = new ConcurrentHashMap<>();
    private final transient Set<String> started = ConcurrentHashMap.newKeySet();
    private final transient ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "modes-timer");
        t.setDaemon(true);
        return t;
    });

    public void release(String id) {
        releases.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(null);
    }

    public void releaseAll() {
        releases.values().forEach(f -> f.complete(null));
    }

    public boolean isStarted(String id) {
        return started.contains(id);
    }

    private CompletableFuture<Void> released(HttpServletRequest request) {
        String id = request.getParameter("id");
        String after = request.getParameter("after");
        CompletableFuture<Void> release = releases.computeIfAbsent(id, k -> new CompletableFuture<>());
        if (after != null) {
            timer.schedule(() -> release(id), Long.parseLong(after), TimeUnit.MICROSECONDS);
        }
        started.add(id);
        return release;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String mode = request.getParameter("mode");
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            afterDispatch(mode, request, response);
            return;
        }
        switch (mode) {
            case "sync" -> {
                released(request).join();
                KitServlet.text(response, "sync");
            }
            case "answered" -> {
                answer(response);
                released(request).join();
            }
            case "answered-async" -> {
                AsyncContext async = request.startAsync();
                answer(response);
                released(request).thenRun(() -> KitServlet.complete(async));
            }
            case "complete" -> {
                AsyncContext async = request.startAsync();
                released(request).thenRun(() -> KitServlet.finish(async, "complete"));
            }
            case "dispatch", "redispatch", "error" -> {
                AsyncContext async = request.startAsync();
                released(request).thenRun(async::dispatch);
            }
            case "timeout" -> {
                AsyncContext async = request.startAsync();
                async.setTimeout(100);
                started.add(request.getParameter("id"));
            }
            default -> response.sendError(400);
        }
    }

    private static void answer(HttpServletResponse response) throws IOException {
        byte[] body = "answered".getBytes(StandardCharsets.UTF_8);
        response.setContentType("text/plain;charset=UTF-8");
        response.setHeader("Content-Length", Integer.toString(body.length));
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    private void afterDispatch(String mode, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        switch (mode) {
            case "dispatch" -> KitServlet.text(response, "dispatched");
            case "redispatch" -> {
                AsyncContext again = request.startAsync();
                timer.execute(() -> KitServlet.finish(again, "redispatched"));
            }
            case "error" -> throw new IllegalStateException("failing on purpose in an async dispatch");
            default -> response.sendError(500);
        }
    }

    @Override
    public void destroy() {
        releaseAll();
        timer.shutdownNow();
    }
}
