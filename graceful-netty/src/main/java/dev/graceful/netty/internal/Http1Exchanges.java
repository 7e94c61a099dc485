package dev.graceful.netty.internal;

import dev.graceful.InFlightWork;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The open exchanges of one HTTP/1.1 connection, oldest first: HTTP/1.1 responses go out in request
 * order (pipelining), so a response belongs to the oldest exchange not yet <em>ended</em> (its last
 * content written), and an ended exchange is over when that write completes. Three arrays that grow
 * only with the pipelining depth: nothing is allocated per request. Confined to the connection's
 * event loop, except for the racy best-effort read in {@link #describeWithoutEventLoop}.
 */
final class Http1Exchanges {

    private static final HttpRequest[] NO_HEADS = {};
    private static final long[] NO_STARTS = {};
    private static final byte[] NO_KINDS = {};

    // Lengths are powers of two, or 0 after trim().
    private HttpRequest[] heads = new HttpRequest[2];
    private long[] starts = new long[2];
    private byte[] kinds = new byte[2];
    private int first;
    private int size;
    /** Exchanges (from the oldest) whose last content was written, awaiting the write's completion. */
    private int ended;

    int size() {
        return size;
    }

    int ended() {
        return ended;
    }

    /** Whether every open exchange has ended: a response now answers no waiting request. */
    boolean allEnded() {
        return ended >= size;
    }

    /** Whether the next exchange to answer is the last one open: nothing is pipelined behind it. */
    boolean nextIsLast() {
        return ended + 1 == size;
    }

    /** The request of the oldest exchange not yet ended: the next response answers it. */
    HttpRequest next() {
        return heads[index(ended)];
    }

    /** The kind of {@link #next()}: {@link GracefulConnection#APP}, {@code HEALTH} or {@code REFUSED}. */
    byte nextKind() {
        return kinds[index(ended)];
    }

    void add(HttpRequest request, byte kind, long start) {
        if (size == heads.length) {
            grow();
        }
        int i = index(size);
        heads[i] = request;
        starts[i] = start;
        kinds[i] = kind;
        size++;
    }

    /** The last content of {@link #next()} was written. */
    void end() {
        ended++;
    }

    /**
     * The write that ended the oldest exchange completed: removes it.
     *
     * @return its kind, or {@code -1} when nothing had ended (all was removed by {@link #clear()})
     */
    int removeEnded() {
        if (ended == 0) {
            return -1;
        }
        int i = first;
        byte kind = kinds[i];
        heads[i] = null;
        first = index(1);
        size--;
        ended--;
        return kind;
    }

    /**
     * Removes every exchange.
     *
     * @return how many of them were application requests
     */
    int clear() {
        int apps = 0;
        for (int n = 0; n < size; n++) {
            int i = index(n);
            if (kinds[i] == GracefulConnection.APP) {
                apps++;
            }
            heads[i] = null;
        }
        size = 0;
        ended = 0;
        return apps;
    }

    /**
     * Lets go of the arrays when no exchange is open: an upgraded connection reads no more
     * requests, and thousands of open WebSockets should not each keep them. They grow again if a
     * request comes after all.
     */
    void trim() {
        if (size == 0) {
            heads = NO_HEADS;
            starts = NO_STARTS;
            kinds = NO_KINDS;
            first = 0;
        }
    }

    private int index(int fromFirst) {
        return (first + fromFirst) & (heads.length - 1);
    }

    private void grow() {
        int n = Math.max(1, heads.length);
        HttpRequest[] h = new HttpRequest[n * 2];
        long[] s = new long[n * 2];
        byte[] k = new byte[n * 2];
        for (int j = 0; j < size; j++) {
            int i = index(j);
            h[j] = heads[i];
            s[j] = starts[i];
            k[j] = kinds[i];
        }
        heads = h;
        starts = s;
        kinds = k;
        first = 0;
    }

    List<InFlightWork> describe(String kind, String remote, long now, int max) {
        List<InFlightWork> out = new ArrayList<>();
        for (int n = 0; n < size && out.size() < max; n++) {
            int i = index(n);
            if (kinds[i] == GracefulConnection.APP) {
                HttpRequest r = heads[i];
                out.add(new InFlightWork(
                        kind,
                        r.method().name() + " " + r.uri() + " (" + remote
                                + (n < ended ? ", response written, not yet sent" : "") + ")",
                        Duration.ofNanos(Math.max(0, now - starts[i]))));
            }
        }
        return out;
    }

    List<InFlightWork> describeWithoutEventLoop(String kind, String remote, long now) {
        try {
            HttpRequest[] h = heads;
            long[] s = starts;
            int i = first;
            int n = size;
            if (n <= 0 || i >= h.length || i >= s.length) {
                return List.of();
            }
            HttpRequest r = h[i];
            String what = r == null ? "request" : r.method().name() + " " + r.uri();
            return List.of(new InFlightWork(
                    kind,
                    what + (n > 1 ? " and " + (n - 1) + " pipelined" : "") + " (" + remote + ", event loop busy)",
                    Duration.ofNanos(Math.max(0, now - s[i]))));
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
