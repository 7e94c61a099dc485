package dev.graceful;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <p>Requests are answered on threads of its own (virtual ones on Java 21+), so a slow application
 * never delays a probe, and neither does a slow client: request bodies are never read (a request
 * that has one is answered with {@code Connection: close} and its connection closed), and an
 * exchange that takes longer than {@link GracefulConfig#readinessCheckTimeout()} plus 1 s, reading
 * its head included, has its connection closed. Readiness checks themselves are bounded by
 * {@link GracefulConfig#readinessCheckTimeout()}.
 *
 * <p>{@link #start(GracefulShutdown, int)} listens on every interface, because the probes come from
 * outside the host or the pod (kubelet, load balancers); {@link #start(GracefulShutdown,
 * InetSocketAddress)} binds one address, such as a management interface or loopback.
 *
 * <p>The server closes itself when the coordinator reaches {@link Phase#STOPPED}: by then liveness
 * fails anyway, and a listener left open would delay the JVM's exit (HotSpot waits up to 300 ms
 * for threads blocked in native I/O before it exits).
 */
public final class HealthServer implements AutoCloseable {

    /** What an exchange may take beyond the readiness checks: its head arriving, its answer leaving. */
    private static final Duration EXCHANGE_MARGIN = Duration.ofSeconds(1);

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
    private final HealthExchanges executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HealthServer(HttpServer server, HealthExchanges executor) {
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
     * Starts a server on one address, default paths.
     *
     * @param graceful whose state to report
     * @param address  where to listen, for example {@code new InetSocketAddress("127.0.0.1", 8081)}
     * @return the running server
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static HealthServer start(GracefulShutdown graceful, InetSocketAddress address) {
        return start(HealthEndpoint.of(graceful), address);
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
        HealthExchanges executor = new HealthExchanges(
                endpoint.graceful().config().readinessCheckTimeout().plus(EXCHANGE_MARGIN));
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
        try (exchange) {
            // A probe sends no body; a body that comes is never read, however slow or long.
            boolean unreadBody = declaresBody(exchange.getRequestHeaders());
            String method = exchange.getRequestMethod();
            if (unreadBody && "HEAD".equals(method)) {
                return; // answering a HEAD makes the JDK server read the body first; closing does not
            }
            HealthEndpoint.Response response =
                    endpoint.respond(method, exchange.getRequestURI().getPath(), peer(exchange), userAgent(exchange));
            Headers headers = exchange.getResponseHeaders();
            headers.set("Content-Type", HealthEndpoint.CONTENT_TYPE);
            headers.set("Cache-Control", "no-store");
            if (response.allow() != null) {
                headers.set("Allow", response.allow());
            }
            if (unreadBody) {
                headers.set("Connection", "close");
            }
            if ("HEAD".equals(method)) {
                exchange.sendResponseHeaders(response.status(), -1);
                return;
            }
            byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(response.status(), body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(body);
            out.flush();
            if (unreadBody) {
                // Closing the response makes the JDK server drain the unread body (up to 64 KB, in a
                // blocking read); on an interrupted thread that read closes the channel instead.
                Thread.currentThread().interrupt();
            }
            try {
                out.close();
            } finally {
                if (unreadBody) {
                    Thread.interrupted();
                }
            }
        }
    }

    private static String peer(HttpExchange exchange) {
        InetSocketAddress remote = exchange.getRemoteAddress();
        return remote == null || remote.getAddress() == null
                ? null
                : remote.getAddress().getHostAddress();
    }

    private static String userAgent(HttpExchange exchange) {
        return exchange.getRequestHeaders().getFirst("User-Agent");
    }

    private static boolean declaresBody(Headers request) {
        if (request.containsKey("Transfer-Encoding")) {
            return true;
        }
        String length = request.getFirst("Content-Length");
        return length != null && !length.trim().equals("0");
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
            executor.close();
        }
    }
}
