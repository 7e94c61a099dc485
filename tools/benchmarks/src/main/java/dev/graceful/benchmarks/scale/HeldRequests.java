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
import java.util.Arrays;
import java.util.Locale;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Thousands of HTTP/1.1 requests held open by one thread and one {@link Selector} (method: {@code docs/BENCHMARKS.md},
 * group 4): a thread per request would measure the client. Parses only what the examples answer.
 */
final class HeldRequests implements AutoCloseable {

    /** Connects under way at a time, so that a short accept queue (Jetty's: 50) does not overflow. */
    private static final int MAX_PENDING_CONNECTS = 32;

    private final int port;
    private final Conn[] conns;
    private final Selector selector = Selector.open();

    private static final class Conn {
        final SocketChannel channel;
        final ByteArrayOutputStream received = new ByteArrayOutputStream(256);
        int status = -1;
        long doneNanos;
        String failure;

        Conn(SocketChannel channel) {
            this.channel = channel;
        }

        boolean finished() {
            return status > 0 || failure != null;
        }

        void fail(String why) {
            doneNanos = System.nanoTime();
            failure = why;
        }
    }

    private HeldRequests(int port, int n) throws IOException {
        this.port = port;
        this.conns = new Conn[n];
    }

    /** Opens {@code n} connections to 127.0.0.1:port, no request sent yet; fails unless all are open in time. */
    static HeldRequests open(int port, int n, long timeout, TimeUnit unit) throws IOException {
        HeldRequests h = new HeldRequests(port, n);
        try {
            h.connectAll(System.nanoTime() + unit.toNanos(timeout));
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    private void connectAll(long deadline) throws IOException {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        int started = 0;
        int connected = 0;
        while (connected < conns.length) {
            while (started - connected < MAX_PENDING_CONNECTS && started < conns.length) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                conns[started] = new Conn(ch);
                boolean now = ch.connect(address);
                ch.register(selector, now ? 0 : SelectionKey.OP_CONNECT, conns[started++]);
                connected += now ? 1 : 0;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        String.format(Locale.ROOT, "only %d of %d connections open in time", connected, conns.length));
            }
            selector.select(100);
            for (SelectionKey k : selector.selectedKeys()) {
                if (k.isConnectable() && ((SocketChannel) k.channel()).finishConnect()) {
                    k.interestOps(0);
                    connected++;
                }
            }
            selector.selectedKeys().clear();
        }
    }

    /** Sends {@code GET /work?ms=...} on every connection, each delay chosen so that all are due at {@code dueNanos}. */
    void sendAllDueAt(long dueNanos) throws IOException {
        for (int i = 0; i < conns.length; i++) {
            long ms = Math.max(0, TimeUnit.NANOSECONDS.toMillis(dueNanos - System.nanoTime()));
            ByteBuffer b = ByteBuffer.wrap(("GET /work?ms=" + ms + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            conns[i].channel.write(b);
            if (b.hasRemaining()) {
                throw new IOException("request " + i + " not written whole on a fresh connection");
            }
            conns[i].channel.keyFor(selector).interestOps(SelectionKey.OP_READ);
        }
    }

    /** Reads until every response is complete or failed, or the timeout passed. */
    void awaitAll(long timeout, TimeUnit unit) throws IOException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long open = Arrays.stream(conns).filter(c -> !c.finished()).count();
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
                    n = c.channel.read(buffer);
                } catch (IOException e) {
                    boolean reset = String.valueOf(e.getMessage())
                            .toLowerCase(Locale.ROOT)
                            .contains("reset");
                    c.fail(reset ? "reset" : "error");
                    n = 0;
                }
                if (n > 0) {
                    c.received.write(buffer.array(), 0, n);
                }
                parse(c);
                if (n < 0 && !c.finished()) {
                    c.fail("closed");
                }
                if (c.finished()) {
                    // Closed as an HTTP client does: a server may linger for the client's close.
                    k.cancel();
                    c.channel.close();
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
        if (c.finished() || headEnd < 0) {
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

    int ok() {
        return (int) Arrays.stream(conns).filter(c -> c.status == 200).count();
    }

    /** The outcomes other than 200, counted, such as {@code 503×2 reset×1}; empty when none. */
    String failures() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Conn c : conns) {
            if (c.status != 200) {
                counts.merge(c.status > 0 ? Integer.toString(c.status) : c.failure, 1, Integer::sum);
            }
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, v) ->
                sb.append(sb.length() == 0 ? "" : " ").append(k).append('×').append(v));
        return sb.toString();
    }

    /** {@code {first, last}} completion ({@link System#nanoTime()}) of the answered requests; null when none was. */
    long[] completionRange() {
        LongSummaryStatistics done = Arrays.stream(conns)
                .filter(c -> c.status == 200)
                .mapToLong(c -> c.doneNanos)
                .summaryStatistics();
        return done.getCount() == 0 ? null : new long[] {done.getMin(), done.getMax()};
    }

    @Override
    public void close() throws IOException {
        for (Conn c : conns) {
            if (c != null) {
                c.channel.close();
            }
        }
        selector.close();
    }
}
