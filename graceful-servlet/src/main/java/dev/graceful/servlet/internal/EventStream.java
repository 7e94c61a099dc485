package dev.graceful.servlet.internal;

import dev.graceful.Departure;
import dev.graceful.LongLived;
import dev.graceful.Work;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * One server-sent event stream: an asynchronous response with {@code Content-Type:
 * text/event-stream}, a {@code "sse"} long-lived connection of graceful rather than in-flight
 * {@code "http"} work. The filter converts the request when its first dispatch returns
 * ({@link #convert}); the application may have declared it before ({@link #declare}).
 *
 * <p>Leaving: with an {@link #onLeave} action the application ends the stream itself; without one
 * graceful closes the response's output and completes the {@code AsyncContext} (the chunked
 * terminator; the connection then closes with the other idle ones). A cut only completes it, which
 * on Jetty aborts a write in progress: the Servlet API has no way to reset a connection, and a
 * complete response is what a client of an event stream expects anyway.
 */
public final class EventStream implements Departure {

    /** The content type of an event stream. */
    public static final String CONTENT_TYPE = "text/event-stream";
    /** The request attribute a declared stream is kept under until the filter converts it. */
    static final String ATTRIBUTE = EventStream.class.getName();

    private final List<Runnable> onLeave = new CopyOnWriteArrayList<>();
    private volatile AsyncContext async;
    private volatile Work handle;
    private volatile boolean leaving;

    private EventStream() {}

    /** The application declares the request's response an event stream (see {@code GracefulStreams}). */
    public static EventStream declare(HttpServletRequest request) {
        if (!request.isAsyncStarted()) {
            throw new IllegalStateException("an event stream is an asynchronous response: call startAsync() first");
        }
        if (request.getAttribute(ATTRIBUTE) instanceof EventStream declared) {
            return declared;
        }
        EventStream stream = new EventStream();
        stream.async = request.getAsyncContext();
        request.setAttribute(ATTRIBUTE, stream);
        return stream;
    }

    /**
     * The request's first dispatch returned asynchronous: whether it is an event stream (declared,
     * or its content type says so); if so it is opened as a long-lived connection of {@code sse},
     * closed when the asynchronous response completes.
     *
     * @return the stream, or {@code null} for an ordinary asynchronous request
     */
    public static EventStream convert(HttpServletRequest request, HttpServletResponse response, LongLived sse) {
        EventStream stream = request.getAttribute(ATTRIBUTE) instanceof EventStream declared ? declared : null;
        if (stream == null) {
            if (!isEventStream(response.getContentType())) {
                return null;
            }
            stream = new EventStream();
            stream.async = request.getAsyncContext();
        }
        stream.handle = sse.open("GET " + request.getRequestURI(), stream);
        return stream;
    }

    static boolean isEventStream(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, CONTENT_TYPE, 0, CONTENT_TYPE.length());
    }

    /** The long-lived handle, for the listener that closes it at the response's end. */
    public Work handle() {
        return handle;
    }

    /** Whether graceful has asked the stream to leave. */
    public boolean isLeaving() {
        return leaving;
    }

    /** Runs {@code action} when asked to leave (at once if already asked); the application then ends the stream. */
    public void onLeave(Runnable action) {
        onLeave.add(action);
        if (leaving && onLeave.remove(action)) {
            action.run();
        }
    }

    /** Counts the stream out (idempotent). */
    public void close() {
        Work h = handle;
        if (h != null) {
            h.close();
        }
    }

    @Override
    public void goAway() {
        leaving = true;
        boolean applicationEnds = !onLeave.isEmpty();
        for (Runnable r : onLeave) {
            if (onLeave.remove(r)) {
                r.run();
            }
        }
        if (!applicationEnds) {
            onThePool(this::closeThenComplete);
        }
    }

    @Override
    public void cut() {
        leaving = true;
        onThePool(this::complete);
    }

    /**
     * Runs {@code end} on the container's pool: completing a response under a write blocked on a
     * slow client can wait for that write (Spring MVC holds its response's lock across it), and
     * graceful's thread asks every other connection to leave after this one. Refused (the response
     * or the pool is over already), the completion runs here.
     */
    private void onThePool(Runnable end) {
        try {
            async.start(end);
        } catch (IllegalStateException | RejectedExecutionException notStarted) {
            complete();
        }
    }

    /**
     * Ends the stream after the application's write in progress, if there is one: Jetty's
     * {@code complete()} aborts a response another thread is writing (the client sees a truncated
     * chunk), while its {@code close()} waits for that write and then sends the terminator. An event
     * written in one call is therefore whole; one the application writes in several calls can still
     * be split, which is what {@code onLeave} is for.
     */
    private void closeThenComplete() {
        try {
            ServletResponse response = async.getResponse();
            try {
                response.getOutputStream().close();
            } catch (IllegalStateException writerInUse) {
                response.getWriter().close();
            }
        } catch (IOException | RuntimeException overOrGone) {
            // Completed meanwhile, or the client left: the completion below ends what is left.
        }
        complete();
    }

    private void complete() {
        try {
            async.complete();
        } catch (IllegalStateException alreadyOver) {
            // The response completed meanwhile: its listener closes the handle.
        }
    }
}
