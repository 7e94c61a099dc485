package dev.graceful.servlet;

import dev.graceful.testkit.KitApp;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serves the conformance kit's {@link KitApp} routes the idiomatic servlet way: {@code /hold} and
 * {@code /stream} go asynchronous and are completed by whoever releases them; {@code /events} is an
 * asynchronous {@code text/event-stream} response written from a scheduler's thread. {@code /ws}
 * is the {@link EchoEndpoint}, deployed next to it (see {@link Servers#startWithWebSocket}).
 */
public final class KitServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Writes every stream's events: one thread, as an application's scheduler would. */
    private static final ScheduledExecutorService EVENTS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kit-events");
        t.setDaemon(true);
        return t;
    });

    private final transient KitApp app;

    /**
     * Creates the servlet.
     *
     * @param app the kit application to serve
     */
    public KitServlet(KitApp app) {
        this.app = app;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        if (!"GET".equals(method) && !"POST".equals(method)) {
            response.sendError(405);
            return;
        }
        switch (request.getRequestURI()) {
            case "/" -> text(response, app.hello(readBody(request)));
            case "/hold" -> {
                String id = request.getParameter("id");
                long n = readBody(request);
                AsyncContext async = request.startAsync();
                async.setTimeout(0);
                app.hold(id, n).whenComplete((body, failure) -> finish(async, body));
            }
            case "/stream" -> {
                String id = request.getParameter("id");
                response.setContentType("text/plain;charset=UTF-8");
                response.getOutputStream().write(KitApp.STREAM_HEAD.getBytes(StandardCharsets.UTF_8));
                response.flushBuffer();
                AsyncContext async = request.startAsync();
                async.setTimeout(0);
                app.hold(id, 0).whenComplete((body, failure) -> {
                    try {
                        OutputStream out = async.getResponse().getOutputStream();
                        out.write(KitApp.STREAM_TAIL.getBytes(StandardCharsets.UTF_8));
                    } catch (IOException | RuntimeException clientGone) {
                        // the client went away or the connection was force-closed
                    } finally {
                        complete(async);
                    }
                });
            }
            case "/events" -> events(request, response);
            default -> response.sendError(404);
        }
    }

    /**
     * {@code /events} as a plain servlet application writes one: nothing of graceful in it. The
     * filter sees {@code text/event-stream} and completes the response when the listeners close;
     * the writer stops at its next write.
     */
    private static void events(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType(KitApp.EVENT_STREAM_TYPE);
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        AtomicLong n = new AtomicLong();
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        Runnable writeOne = () -> {
            try {
                OutputStream out = async.getResponse().getOutputStream();
                out.write(KitApp.event(n.incrementAndGet()).getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException | RuntimeException over) {
                // the client left, or the response was completed (graceful asked the stream to leave)
                ScheduledFuture<?> t = task.get();
                if (t != null) {
                    t.cancel(false);
                }
                complete(async);
            }
        };
        writeOne.run();
        long interval = KitApp.EVENT_INTERVAL.toMillis();
        task.set(EVENTS.scheduleAtFixedRate(writeOne, interval, interval, TimeUnit.MILLISECONDS));
    }

    static long readBody(HttpServletRequest request) throws IOException {
        return request.getInputStream().transferTo(OutputStream.nullOutputStream());
    }

    static void text(ServletResponse response, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentType("text/plain;charset=UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    static void finish(AsyncContext async, String body) {
        try {
            text(async.getResponse(), body == null ? "" : body);
        } catch (IOException | RuntimeException clientGone) {
            // the client went away or the connection was force-closed
        } finally {
            complete(async);
        }
    }

    static void complete(AsyncContext async) {
        try {
            async.complete();
        } catch (IllegalStateException alreadyOver) {
            // timed out or errored meanwhile: the container completed it
        }
    }
}
