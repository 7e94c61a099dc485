package dev.graceful.benchmarks.scale;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Thousands of HTTP/1.1 requests held open by one thread: one non-blocking socket per request,
 * one {@link Selector}, raw request bytes, and a response parser that needs only the status line
 * and {@code Content-Length} (what the examples answer). A thread per request would measure the
 * client; this costs a socket and a small buffer each.
 */
final class HeldRequests implements AutoCloseable {

    /**
     * Connects not yet finished at a time. A listener's accept queue can be short (Jetty's is 50 by
     * default): more connects at once overflow it, the kernel drops the SYNs, and each dropped one
     * is retried a second later. With 64 at once, opening 10,000 connections to Jetty took over 30 s.
     */
    private static final int MAX_PENDING_CONNECTS = 32;

    private final int port;
    private final SocketChannel[] channels;
    private final Conn[] conns;
    private final Selector selector;

    /** One request's state. */
    private static final class Conn {
        final int index;
        final ByteArrayOutputStream received = new ByteArrayOutputStream(256);
        int status = -1;
        long doneNanos;
        String failure;

        Conn(int index) {
            this.index = index;
        }

        boolean finished() {
            return status > 0 || failure != null;
        }
    }

    private HeldRequests(int port, int n) throws IOException {
        this.port = port;
        this.channels = new SocketChannel[n];
        this.conns = new Conn[n];
        this.selector = Selector.open();
    }

    /**
     * Opens {@code n} connections to 127.0.0.1:port.
     *
     * @param port    the port
     * @param n       how many
     * @param timeout how long connecting them all may take
     * @param unit    its unit
     * @return the connections, no request sent yet
     * @throws IOException when a connection fails or they are not all open in time
     */
    static HeldRequests open(int port, int n, long timeout, TimeUnit unit) throws IOException {
        HeldRequests h = new HeldRequests(port, n);
        try {
            h.connectAll(unit.toNanos(timeout));
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    private void connectAll(long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        int started = 0;
        int connected = 0;
        int pending = 0;
        while (connected < channels.length) {
            while (pending < MAX_PENDING_CONNECTS && started < channels.length) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                conns[started] = new Conn(started);
                channels[started] = ch;
                if (ch.connect(address)) {
                    connected++;
                    ch.register(selector, 0, conns[started]);
                } else {
                    ch.register(selector, SelectionKey.OP_CONNECT, conns[started]);
                    pending++;
                }
                started++;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(String.format(Locale.ROOT, "only %d of %d connections open in time", connected,
                        channels.length));
            }
            selector.select(100);
            for (SelectionKey k : selector.selectedKeys()) {
                if (k.isConnectable() && ((SocketChannel) k.channel()).finishConnect()) {
                    k.interestOps(0);
                    pending--;
                    connected++;
                }
            }
            selector.selectedKeys().clear();
        }
    }

    /**
     * Sends {@code GET /work?ms=...} on every connection, the delay of each chosen so that all are
     * due at the same moment.
     *
     * @param dueNanos the {@link System#nanoTime()} at which every request should complete
     * @throws IOException when a request cannot be written whole
     */
    void sendAllDueAt(long dueNanos) throws IOException {
        for (int i = 0; i < channels.length; i++) {
            long ms = Math.max(0, TimeUnit.NANOSECONDS.toMillis(dueNanos - System.nanoTime()));
            ByteBuffer b = ByteBuffer.wrap(("GET /work?ms=" + ms + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            channels[i].write(b);
            if (b.hasRemaining()) {
                throw new IOException("request " + i + " not written whole on a fresh connection");
            }
            channels[i].keyFor(selector).interestOps(SelectionKey.OP_READ);
        }
    }

    /**
     * Reads until every response is complete or failed.
     *
     * @param timeout how long at most
     * @param unit    its unit
     * @throws IOException when the selector fails
     */
    void awaitAll(long timeout, TimeUnit unit) throws IOException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        int open = 0;
        for (Conn c : conns) {
            open += c.finished() ? 0 : 1;
        }
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (open > 0 && System.nanoTime() < deadline) {
            selector.select(100);
            for (SelectionKey k : selector.selectedKeys()) {
                Conn c = (Conn) k.attachment();
                if (c.finished() || !k.isValid() || !k.isReadable()) {
                    continue;
                }
                buffer.clear();
                int n;
                try {
                    n = ((SocketChannel) k.channel()).read(buffer);
                } catch (IOException e) {
                    c.doneNanos = System.nanoTime();
                    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
                    c.failure = m.contains("reset") ? "reset" : "error";
                    k.cancel();
                    open--;
                    continue;
                }
                if (n > 0) {
                    c.received.write(buffer.array(), 0, n);
                    parse(c);
                } else if (n < 0) {
                    parse(c);
                    if (!c.finished()) {
                        c.doneNanos = System.nanoTime();
                        c.failure = "closed";
                    }
                }
                if (c.finished()) {
                    // Done with it, as an HTTP client is once the response (with Connection: close
                    // while draining) is in: a server that lingers for the client's close (to
                    // avoid a reset) must not wait for a client that would never close.
                    k.cancel();
                    ((SocketChannel) k.channel()).close();
                    open--;
                }
            }
            selector.selectedKeys().clear();
        }
        for (Conn c : conns) {
            if (!c.finished()) {
                c.failure = "none";
            }
        }
    }

    /** Completes a response when its head and {@code Content-Length} bytes of body are in. */
    private static void parse(Conn c) {
        String text = c.received.toString(StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return;
        }
        int length = 0;
        for (String line : text.substring(0, headEnd).split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        if (text.length() - headEnd - 4 >= length) {
            c.doneNanos = System.nanoTime();
            c.status = Integer.parseInt(text.substring(9, 12));
        }
    }

    /**
     * How many were answered 200.
     *
     * @return the count
     */
    int ok() {
        int ok = 0;
        for (Conn c : conns) {
            ok += c.status == 200 ? 1 : 0;
        }
        return ok;
    }

    /**
     * The outcomes other than 200, counted, such as {@code 503×2 reset×1}; empty when none.
     *
     * @return the text
     */
    String failures() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Conn c : conns) {
            if (c.status != 200) {
                counts.merge(c.status > 0 ? Integer.toString(c.status) : c.failure, 1, Integer::sum);
            }
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('×').append(v));
        return sb.toString();
    }

    /**
     * The first and last completion times of the answered requests.
     *
     * @return {@code {first, last}} in {@link System#nanoTime()}, or {@code null} when none was answered
     */
    long[] completionRange() {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Conn c : conns) {
            if (c.status == 200) {
                first = Math.min(first, c.doneNanos);
                last = Math.max(last, c.doneNanos);
            }
        }
        return first == Long.MAX_VALUE ? null : new long[] {first, last};
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel ch : channels) {
            if (ch != null) {
                ch.close();
            }
        }
        selector.close();
    }
}
