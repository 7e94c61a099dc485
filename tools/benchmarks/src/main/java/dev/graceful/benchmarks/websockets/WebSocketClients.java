package dev.graceful.benchmarks.websockets;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Thousands of WebSockets held open by one client on a few Netty event loops (method: {@code docs/BENCHMARKS.md},
 * group 6): the JDK's {@code HttpClient} WebSocket costs threads and buffers per connection, which would measure the
 * client. Each connection is a {@link WebSocketConnection}; this class opens them, echoes through them, and sums up
 * how they closed.
 */
final class WebSocketClients implements AutoCloseable {

    /**
     * Openings under way at a time (connect, handshake, first echo), so that a short accept queue (Jetty's: 50)
     * does not overflow: a dropped SYN is retried by the kernel only a second later.
     */
    private static final int MAX_PENDING_OPENS = 32;
    /** Ephemeral ports one source address may use towards one server port, leaving room for everything else. */
    static final int CONNECTIONS_PER_SOURCE_ADDRESS = 20_000;
    /**
     * While opening takes long (a loaded machine, a slow server), the first connections are pinged this often, so
     * that no server closes them as idle (Jetty's WebSocket sessions: after 30 s) before they are measured.
     */
    private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final EventLoopGroup group;
    private final List<WebSocketConnection> connections = new ArrayList<>();
    /**
     * The connections that opened and have not closed (TCP) since: what {@link #awaitAllClosed} polls. One counter,
     * not a walk over the N connections: that walk, every 10 ms on a 2-core machine, took CPU from the client's
     * event loops while they answered the server's Close frames, and so delayed the times measured.
     */
    private final AtomicInteger stillOpen = new AtomicInteger();

    private int echoRound;
    /** Connections never attempted: opening the others took all the time allowed. */
    private int notStarted;

    private WebSocketClients(int eventLoops) {
        group = new MultiThreadIoEventLoopGroup(eventLoops, NioIoHandler.newFactory());
    }

    /**
     * Opens {@code n} WebSockets to {@code ws://127.0.0.1:PORT/ws}, each from 127.0.0.K (K = 1 + i modulo
     * {@code sourceAddresses}), and has each echo one text message. Returns once every one is open or has failed,
     * or {@code within} has passed (the rest then count as failed).
     */
    static WebSocketClients open(int port, int n, int sourceAddresses, int eventLoops, Duration within)
            throws InterruptedException {
        if (sourceAddresses < 1 || sourceAddresses > 254) {
            throw new IllegalArgumentException(
                    "source addresses must be 1 to 254 (127.0.0.1-254), was " + sourceAddresses);
        }
        WebSocketClients clients = new WebSocketClients(eventLoops);
        try {
            clients.connect(port, n, sourceAddresses, within);
        } catch (InterruptedException | RuntimeException e) {
            clients.close();
            throw e;
        }
        return clients;
    }

    private void connect(int port, int n, int sourceAddresses, Duration within) throws InterruptedException {
        URI uri = URI.create("ws://127.0.0.1:" + port + "/ws");
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        Semaphore pending = new Semaphore(MAX_PENDING_OPENS);
        CountDownLatch settled = new CountDownLatch(n);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        long deadline = System.nanoTime() + within.toNanos();
        long keepAlive = System.nanoTime() + KEEP_ALIVE_NANOS;
        for (int i = 0; i < n; i++) {
            if (System.nanoTime() - keepAlive > 0) {
                connections.forEach(WebSocketConnection::ping);
                keepAlive = System.nanoTime() + KEEP_ALIVE_NANOS;
            }
            if (!pending.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                notStarted = n - i;
                break;
            }
            WebSocketConnection c = new WebSocketConnection(
                    uri,
                    "connection " + i,
                    () -> {
                        pending.release();
                        settled.countDown();
                    },
                    stillOpen);
            connections.add(c);
            InetSocketAddress local = new InetSocketAddress("127.0.0." + (1 + i % sourceAddresses), 0);
            bootstrap
                    .clone()
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192), c);
                        }
                    })
                    .connect(server, local)
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            c.fail("connect: " + f.cause());
                        }
                    });
        }
        if (!settled.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            connections.forEach(c -> c.fail("not opened in time"));
        }
    }

    /** The connections open (handshake done, first echo back) and not closed since. */
    int open() {
        return count(WebSocketConnection::isOpen);
    }

    /** Why connections failed to open, with how many: {@code handshake:3 not-opened-in-time:2}. */
    String failures() {
        Map<String, Integer> why = new TreeMap<>();
        connections.stream()
                .map(WebSocketConnection::failure)
                .filter(f -> f != null)
                .forEach(f -> why.merge(
                        f.replaceAll("[:,].*", "").replace(' ', '-').toLowerCase(Locale.ROOT), 1, Integer::sum));
        if (notStarted > 0) {
            why.put("not-started", notStarted);
        }
        return summary(why);
    }

    /** Sends one text message on every open connection; returns how many came back unchanged within {@code within}. */
    int echoAll(Duration within) throws InterruptedException {
        List<WebSocketConnection> open =
                connections.stream().filter(WebSocketConnection::isOpen).toList();
        CountDownLatch echoed = new CountDownLatch(open.size());
        echoRound++;
        for (WebSocketConnection c : open) {
            c.echo("echo " + echoRound + " of " + c.name(), echoed::countDown);
        }
        echoed.await(within.toNanos(), TimeUnit.NANOSECONDS);
        return open.size() - (int) echoed.getCount();
    }

    /** Waits until every connection that opened has closed (TCP), at most {@code within}; returns whether all did. */
    boolean awaitAllClosed(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (stillOpen.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(10); // only polls: every time is the connection's own event's
        }
        return true;
    }

    /** The close codes the server sent, with how many: {@code 1001:9998 none:2} ({@code none}: closed without one). */
    String closeCodes() {
        Map<String, Integer> codes = new TreeMap<>();
        connections.stream()
                .filter(c -> c.openedAtNanos() != 0)
                .forEach(c ->
                        codes.merge(c.closeCode() < 0 ? "none" : Integer.toString(c.closeCode()), 1, Integer::sum));
        return summary(codes);
    }

    /** {@code key:count key:count}: a CSV cell (no commas). */
    private static String summary(Map<String, Integer> counts) {
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, v) ->
                sb.append(sb.isEmpty() ? "" : " ").append(k).append(':').append(v));
        return sb.toString();
    }

    /** The connections that opened and received a Close with {@code code}, and answered it. */
    int closedWith(int code) {
        return count(c -> c.closeCode() == code && c.answeredAtNanos() != 0);
    }

    /** The latest (or, with {@code first}, earliest) of a time over the connections that opened and have it; 0 if none. */
    long time(ToLongFunction<WebSocketConnection> f, boolean first) {
        var times = connections.stream()
                .filter(c -> c.openedAtNanos() != 0)
                .mapToLong(f)
                .filter(t -> t != 0);
        return (first ? times.min() : times.max()).orElse(0);
    }

    private int count(Predicate<WebSocketConnection> p) {
        return (int) connections.stream().filter(p).count();
    }

    /** Closes every connection still open (Close 1000, then TCP, at most a few seconds), then the event loops. */
    @Override
    public void close() {
        connections.forEach(WebSocketConnection::leave);
        try {
            awaitAllClosed(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
