package dev.graceful;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A standalone health server on the JDK's built-in HTTP server (no extra dependency), for
 * services without an HTTP stack of their own (workers, consumers) or with a separate management
 * port. It answers {@code /healthz}, {@code /readyz} and {@code /livez} through
 * {@link HealthEndpoint}, and keeps answering while the service drains.
 *
 * <pre>{@code
 * try (HealthServer health = HealthServer.start(graceful, 8081)) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Requests are answered on two daemon threads of its own, so a slow application never delays
 * a probe. The server closes itself when the coordinator reaches {@link Phase#STOPPED}: by then
 * liveness fails anyway, and a listener left open would delay the JVM's exit (HotSpot waits up to
 * 300 ms for threads blocked in native I/O before it exits).
 */
public final class HealthServer implements AutoCloseable {

    private static final AtomicInteger THREADS = new AtomicInteger();

    static {
        // The JDK server writes headers and body separately and, by default, leaves Nagle's
        // algorithm on: with the client's delayed ACK every answer on a kept-alive connection
        // then stalls ~40 ms. A probe must answer at once. The property is read once, when the
        // JDK server's configuration class loads, so an explicit setting by the application wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HealthServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts a server on every interface, default paths.
     *
     * @param graceful whose state to report
     * @param port     the port, or 0 for an ephemeral one (see {@link #port()})
     * @return the running server
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static HealthServer start(GracefulShutdown graceful, int port) {
        return start(HealthEndpoint.of(graceful), new InetSocketAddress(port));
    }

    /**
     * Starts a server.
     *
     * @param endpoint what to answer
     * @param address  where to listen
     * @return the running server
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static HealthServer start(HealthEndpoint endpoint, InetSocketAddress address) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(address, "address");
        HttpServer server;
        try {
            server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the health server on " + address, e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "graceful-health-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> answer(endpoint, exchange));
        server.start();
        HealthServer health = new HealthServer(server, executor);
        endpoint.graceful().addListener(new GracefulListener() {
            @Override
            public void onTransition(Transition t) {
                if (t.to() == Phase.STOPPED) {
                    endpoint.graceful().removeListener(this);
                    health.close();
                }
            }
        });
        return health;
    }

    private static void answer(HealthEndpoint endpoint, HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
            String method = exchange.getRequestMethod();
            HealthEndpoint.Response response =
                    endpoint.respond(method, exchange.getRequestURI().getPath());
            exchange.getResponseHeaders().set("Content-Type", HealthEndpoint.CONTENT_TYPE);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (response.allow() != null) {
                exchange.getResponseHeaders().set("Allow", response.allow());
            }
            if ("HEAD".equals(method)) {
                exchange.sendResponseHeaders(response.status(), -1);
                return;
            }
            byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(response.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops the server at once. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
