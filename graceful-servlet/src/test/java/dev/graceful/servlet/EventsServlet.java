package dev.graceful.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An event stream written from the application's own thread ({@code data: kit N} every 50 ms, or
 * at the given interval), one write per event, knowing nothing of graceful unless {@code declared}:
 * then it declares the stream with {@link GracefulStreams#eventStream} and ends it itself when asked
 * to leave.
 */
public final class EventsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final boolean declared;
    private final long intervalNanos;
    private final transient ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "events-timer");
        t.setDaemon(true);
        return t;
    });

    /** @param declared whether the stream is declared with {@link GracefulStreams#eventStream} */
    public EventsServlet(boolean declared) {
        this(declared, Duration.ofMillis(50));
    }

    /**
     * @param declared whether the stream is declared with {@link GracefulStreams#eventStream}
     * @param interval between two events; one shorter than a write writes them back to back
     */
    public EventsServlet(boolean declared, Duration interval) {
        this.declared = declared;
        this.intervalNanos = interval.toNanos();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/event-stream");
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        response.flushBuffer();
        Leaving leaving = declared ? GracefulStreams.eventStream(request) : null;
        AtomicLong n = new AtomicLong();
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        Runnable end = () -> {
            task.get().cancel(false);
            try {
                async.complete();
            } catch (IllegalStateException alreadyComplete) {
                // completed by graceful
            }
        };
        task.set(timer.scheduleAtFixedRate(
                () -> {
                    try {
                        OutputStream out = async.getResponse().getOutputStream();
                        out.write(("data: kit " + n.incrementAndGet() + "\n\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        if (leaving != null && leaving.isLeaving()) {
                            end.run(); // after a whole event: the application ends its own stream
                        }
                    } catch (IOException | RuntimeException over) {
                        end.run();
                    }
                },
                intervalNanos,
                intervalNanos,
                TimeUnit.NANOSECONDS));
        if (leaving != null) {
            leaving.onLeave(() -> {}); // the writer checks isLeaving() after each event
        }
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
