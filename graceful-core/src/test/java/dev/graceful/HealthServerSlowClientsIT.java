package dev.graceful;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Clients that never finish their request must cost the probes nothing. */
class HealthServerSlowClientsIT {

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    private Socket connect(HealthServer server) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
        s.setSoTimeout(10_000);
        sockets.add(s);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** Everything the server sends until it closes the connection (a reset counts as a close). */
    private static String readUntilClosed(Socket s) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[1024];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                seen.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            // closed with our unread bytes in its buffer: a reset, which is a close too
        }
        return seen.toString(StandardCharsets.US_ASCII);
    }

    private long livezMillis(HealthServer server) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/livez"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(200);
        return millis;
    }

    /** readinessCheckTimeout + 1s: the shortest exchange limit the defaults' rule gives, near enough. */
    private static GracefulShutdown withExchangeLimitOf1100ms() {
        return GracefulShutdown.create(GracefulConfig.builder()
                .readinessCheckTimeout(Duration.ofMillis(100))
                .build());
    }

    @Test
    void livenessAnswersWhileSlowHeadsAndSlowBodiesHoldConnections() throws Exception {
        GracefulShutdown g = GracefulShutdown.create();
        g.markReady();
        try (HealthServer server = HealthServer.start(g, 0)) {
            livezMillis(server); // the client's own first-call cost stays out of the figure
            for (int i = 0; i < 4; i++) {
                send(connect(server), "GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ");
                send(connect(server), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nab");
                send(connect(server), "GET /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nab");
            }
            long millis = livezMillis(server);
            System.out.println("/livez answered in " + millis + " ms with 4 slow heads and 8 slow bodies connected");
            assertThat(millis).isLessThan(1_000);
        }
    }

    @Test
    void moreStuckHeadsThanPlatformThreadsDelayLivenessByOneExchangeLimitAtMost() throws Exception {
        // Java 21+: a virtual thread each, no delay; Java 17: 32 threads, so 8 heads wait for a cut
        GracefulShutdown g = withExchangeLimitOf1100ms();
        try (HealthServer server = HealthServer.start(g, 0)) {
            livezMillis(server);
            for (int i = 0; i < 40; i++) {
                send(connect(server), "GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            }
            long millis = livezMillis(server);
            System.out.println("/livez answered in " + millis + " ms with 40 stuck heads on Java "
                    + Runtime.version().feature());
            assertThat(millis).isLessThan(1_100 + 1_000);
        }
    }

    @Test
    void aRequestBodyIsNotReadTheAnswerComesAtOnceAndTheConnectionCloses() throws Exception {
        GracefulShutdown g = GracefulShutdown.create();
        g.markReady();
        try (HealthServer server = HealthServer.start(g, 0)) {
            Socket post = connect(server);
            send(post, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nab");
            Socket get = connect(server);
            send(get, "GET /readyz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nab");
            long start = System.nanoTime();

            String postAnswer = readUntilClosed(post);
            String getAnswer = readUntilClosed(get);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(postAnswer).startsWith("HTTP/1.1 405").containsIgnoringCase("connection: close");
            assertThat(getAnswer)
                    .startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("connection: close")
                    .endsWith("\"inFlight\":0}");

            Socket head = connect(server);
            send(head, "HEAD /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nab");
            assertThat(readUntilClosed(head)).isEmpty(); // answering a HEAD would read the body first
        }
    }

    @Test
    void aHeadThatNeverEndsIsCutAfterTheExchangeLimit() throws Exception {
        GracefulShutdown g = withExchangeLimitOf1100ms();
        try (HealthServer server = HealthServer.start(g, 0)) {
            Socket slow = connect(server);
            send(slow, "GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            long start = System.nanoTime();

            // one more header byte now and then: the limit is per exchange, not per idle read
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try {
                    send(slow, "a");
                    slow.setSoTimeout(200);
                    return slow.getInputStream().read() < 0;
                } catch (SocketTimeoutException stillOpen) {
                    return false;
                } catch (IOException closed) {
                    return true;
                }
            });

            Duration cut = Duration.ofNanos(System.nanoTime() - start);
            assertThat(cut).isBetween(Duration.ofMillis(900), Duration.ofMillis(3_000));
            assertThat(livezMillis(server)).isLessThan(1_000);
        }
    }
}
