package dev.graceful.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * The client side of the wire to one server under test on 127.0.0.1: requests through the JDK's
 * HTTP/1.1 client (pooled, kept-alive connections) and TCP probes for a closed listener.
 *
 * <p>The port is asked for on every call, so a test can create the client before its server starts.
 */
public final class KitClient {

    /** The default bound of every request and every wait for a refused connection. */
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final IntSupplier port;
    private final Duration timeout;

    /** A client to {@code port}, asked for on every call, bounded by {@link #TIMEOUT}. */
    public KitClient(IntSupplier port) {
        this(port, TIMEOUT);
    }

    /** A client to {@code port}, asked for on every call, bounded by {@code timeout}. */
    public KitClient(IntSupplier port, Duration timeout) {
        this.port = port;
        this.timeout = timeout;
    }

    /** A GET on a pooled connection, waiting for the response. */
    public HttpResponse<String> get(String target) throws Exception {
        return client.send(request(target).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Starts a GET on a pooled connection. */
    public CompletableFuture<HttpResponse<String>> getAsync(String target) {
        return client.sendAsync(request(target).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Starts a POST with a text body on a pooled connection. */
    public CompletableFuture<HttpResponse<String>> postAsync(String target, String body) {
        return client.sendAsync(
                request(target).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Whether a new TCP connection to the port is refused now. */
    public boolean refused() {
        return ConnectProbe.isRefused("127.0.0.1", port.getAsInt());
    }

    /** Waits until a new TCP connection to the port is refused (not accepted, not queued). */
    public void awaitRefused() {
        ConnectProbe.awaitRefused("127.0.0.1", port.getAsInt(), timeout);
    }

    private HttpRequest.Builder request(String target) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getAsInt() + target))
                .timeout(timeout);
    }
}
