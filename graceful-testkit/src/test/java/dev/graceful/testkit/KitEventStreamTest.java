package dev.graceful.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graceful.testkit.RawHttpConnection.Close;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The event-stream client against a socket that answers with scripted bytes: what it accepts as an
 * orderly end, and what it must report as lost, repeated, truncated or reset.
 */
class KitEventStreamTest {

    private static final String HEAD =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

    private ServerSocket server;
    private final CompletableFuture<Void> served = new CompletableFuture<>();

    /** Serves one connection: reads the request head, writes {@code response}, then closes (or resets). */
    private int serve(String response, boolean reset) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                int last = 0;
                for (int b; (b = in.read()) >= 0; ) {
                    last = (last << 8 | b) & 0xffffffff;
                    if (last == 0x0d0a0d0a) {
                        break;
                    }
                }
                OutputStream out = s.getOutputStream();
                out.write(response.getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (reset) {
                    s.setSoLinger(true, 0);
                }
                served.complete(null);
            } catch (IOException e) {
                served.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n";
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void eventsSplitOrJoinedAcrossChunksAreReadInSequenceAndTheOrderlyEndIsSeen() throws IOException {
        int port = serve(
                HEAD + chunk(KitApp.event(1)) + chunk("data: kit 2\n") + chunk("\n: a comment\n\ndata:kit 3\n\n")
                        + chunk(KitApp.event(4) + KitApp.event(5)) + "0\r\n\r\n",
                false);
        try (KitEventStream events = KitEventStream.open(port, "/events", "kit")) {
            assertThat(events.isEventStream()).isTrue();
            // The chunk that completes event 2 holds event 3 too.
            assertThat(events.awaitEvents(2)).isEqualTo(3);
            assertThat(events.readToEnd(Duration.ofSeconds(5))).isEqualTo(Close.EOF);
            assertThat(events.count()).isEqualTo(5);
        }
    }

    @Test
    void aLostEventFailsTheRead() throws IOException {
        int port = serve(HEAD + chunk(KitApp.event(1)) + chunk(KitApp.event(3)) + "0\r\n\r\n", false);
        try (KitEventStream events = KitEventStream.open(port, "/events", "kit")) {
            assertThatThrownBy(() -> events.readToEnd(Duration.ofSeconds(5)))
                    .hasMessageContaining("expected data 'kit 2', got 'kit 3'");
        }
    }

    @Test
    void aStreamClosedWithoutItsTerminatorIsTruncated() throws IOException {
        int port = serve(HEAD + chunk(KitApp.event(1)), false);
        try (KitEventStream events = KitEventStream.open(port, "/events", "kit")) {
            assertThatThrownBy(() -> events.readToEnd(Duration.ofSeconds(5)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("closed inside a chunked body");
        }
    }

    @Test
    void aTerminatorInsideAnEventIsATruncatedEvent() throws IOException {
        int port = serve(HEAD + chunk(KitApp.event(1)) + chunk("data: ki") + "0\r\n\r\n", false);
        try (KitEventStream events = KitEventStream.open(port, "/events", "kit")) {
            assertThatThrownBy(() -> events.readToEnd(Duration.ofSeconds(5)))
                    .hasMessageContaining("ended inside an event");
        }
    }

    @Test
    void aResetAfterTheTerminatorIsNotAnOrderlyEnd() throws IOException {
        int port = serve(HEAD + chunk(KitApp.event(1)) + "0\r\n\r\n", true);
        try (KitEventStream events = KitEventStream.open(port, "/events", "kit")) {
            served.join();
            assertThat(events.readToEnd(Duration.ofSeconds(5))).isEqualTo(Close.RESET);
        }
    }

    @Test
    void aPlainResponseIsNotAnEventStream() throws IOException {
        int port = serve("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false);
        try (KitEventStream events = KitEventStream.open(port, "/events", "kit")) {
            assertThat(events.isEventStream()).isFalse();
        }
    }
}
