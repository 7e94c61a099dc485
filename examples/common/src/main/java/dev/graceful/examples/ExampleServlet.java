package dev.graceful.examples;

import dev.graceful.servlet.GracefulStreams;
import dev.graceful.servlet.Leaving;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
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
 * The contract's routes as a servlet, mapped on {@code /} (graceful's filter and health servlet
 * are installed next to it and answer {@code /healthz}, {@code /readyz}, {@code /livez}):
 * <ul>
 *   <li>{@code GET /}: {@code hello from V};</li>
 *   <li>{@code GET|POST /work?ms=N}: reads the body, waits N ms without holding a thread (the
 *   request goes asynchronous, so graceful tracks it until its response is finished), answers
 *   {@code done V}; a bad {@code ms} is a 400;</li>
 *   <li>{@code GET /events}: an event stream, {@code data: V N} every 100 ms from the timer's
 *   thread, until the client leaves or graceful asks it to leave: the timer's thread then ends it
 *   after the event it is writing ({@code GracefulStreams.eventStream}; completing the response
 *   from graceful's thread could cut that event);</li>
 *   <li>other methods on these paths: 405; other paths: 404.</li>
 * </ul>
 */
public final class ExampleServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final String version;
    private transient volatile Thread timerThread;
    private final transient ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "example-work-timer");
        t.setDaemon(true);
        timerThread = t;
        return t;
    });

    /**
     * Creates the servlet.
     *
     * @param version the version named in the answers
     */
    public ExampleServlet(String version) {
        this.version = version;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String method = request.getMethod();
        switch (path) {
            case "/" -> {
                if (!"GET".equals(method) && !"HEAD".equals(method)) {
                    notAllowed(response, "GET, HEAD");
                } else {
                    text(response, 200, "hello from " + version + "\n", "HEAD".equals(method));
                }
            }
            case "/work" -> {
                if (!"GET".equals(method) && !"POST".equals(method)) {
                    notAllowed(response, "GET, POST");
                } else {
                    work(request, response);
                }
            }
            case "/events" -> {
                if (!"GET".equals(method)) {
                    notAllowed(response, "GET");
                } else {
                    events(request, response);
                }
            }
            default -> text(response, 404, "not found: " + path + "\n", "HEAD".equals(method));
        }
    }

    private void work(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long ms;
        try {
            ms = WorkDelay.parse(request.getParameter("ms"));
        } catch (IllegalArgumentException e) {
            text(response, 400, e.getMessage() + "\n", false);
            return;
        }
        request.getInputStream().transferTo(OutputStream.nullOutputStream());
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        timer.schedule(
                () -> {
                    try {
                        text((HttpServletResponse) async.getResponse(), 200, "done " + version + "\n", false);
                    } catch (IOException | RuntimeException clientGone) {
                        // nothing to answer to
                    } finally {
                        async.complete();
                    }
                },
                ms,
                TimeUnit.MILLISECONDS);
    }

    private void events(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        Leaving leaving = GracefulStreams.eventStream(request);
        response.flushBuffer(); // the headers now: the client sees the stream open before the first event
        AtomicLong n = new AtomicLong();
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        Runnable end = () -> {
            task.get().cancel(false);
            try {
                async.complete();
            } catch (IllegalStateException alreadyComplete) {
                // the client left and the container completed it
            }
        };
        task.set(timer.scheduleAtFixedRate(
                () -> {
                    byte[] event =
                            ("data: " + version + " " + n.incrementAndGet() + "\n\n").getBytes(StandardCharsets.UTF_8);
                    try {
                        OutputStream out = async.getResponse().getOutputStream();
                        out.write(event);
                        out.flush();
                    } catch (IOException | RuntimeException over) {
                        end.run(); // the client left
                    }
                },
                100,
                100,
                TimeUnit.MILLISECONDS));
        // On the timer's own thread, so between two events.
        leaving.onLeave(() -> timer.execute(end));
        async.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent e) {
                task.get().cancel(false);
            }

            @Override
            public void onTimeout(AsyncEvent e) {}

            @Override
            public void onError(AsyncEvent e) {
                task.get().cancel(false);
            }

            @Override
            public void onStartAsync(AsyncEvent e) {}
        });
    }

    private static void notAllowed(HttpServletResponse response, String allow) throws IOException {
        response.setHeader("Allow", allow);
        text(response, 405, "method not allowed\n", false);
    }

    private static void text(HttpServletResponse response, int status, String body, boolean head) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/plain;charset=UTF-8");
        response.setContentLength(bytes.length);
        if (!head) {
            response.getOutputStream().write(bytes);
        }
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
        Thread t = timerThread;
        if (t == null) {
            return;
        }
        try {
            // Tomcat looks for the application's threads right after destroying it and warns about
            // any still alive ("failed to stop it"); the executor reports itself terminated a moment
            // before its thread has ended, so wait for the thread. An idle timer thread ends within
            // microseconds; the bound keeps a task stuck in a write from holding up the exit.
            t.join(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
