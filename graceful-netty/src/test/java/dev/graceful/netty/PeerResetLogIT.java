package dev.graceful.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulShutdown;
import dev.graceful.netty.NettyTestServer.Protocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that reset their connections, as load balancers' health checks do (HAProxy closes every check
 * with a TCP reset): at any point of a connection, the adapter logs a DEBUG line and nothing louder.
 * slf4j-simple writes to whatever {@code System.err} is at the time, so the test captures it there.
 */
class PeerResetLogIT extends DrainITBase {

    private static final String DEBUG_LINE = "reset by its peer";

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureLogs() {
        originalErr = System.err;
        PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setErr(new PrintStream(
                new OutputStream() {
                    @Override
                    public void write(int b) {
                        tee.write(b);
                        originalErr.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        tee.write(b, off, len);
                        originalErr.write(b, off, len);
                    }
                },
                true,
                StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreLogs() {
        System.setErr(originalErr);
    }

    private void start(Protocol protocol) throws Exception {
        graceful = GracefulShutdown.create(config().build());
        server = NettyTestServer.start(graceful, app, protocol);
        graceful.markReady();
    }

    @Test
    void http1ResetsAtAnyPointLogAtDebugOnly() throws Exception {
        start(Protocol.HTTP1);
        String healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: HAProxy\r\n\r\n";

        resetAfter(s -> {}); // before the first byte
        resetAfter(s -> {
            write(s, healthz);
            readUntil(s, "\"status\"");
        }); // a health check that read its answer
        resetAfter(s -> write(s, healthz)); // one that did not wait for it
        resetAfter(s -> write(s, "GET /hold?id=head HTTP/1.1\r\nHo")); // mid-request head
        resetAfter(s -> {
            write(s, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            readUntil(s, "hello");
        }); // an idle kept-alive connection
        resetAfter(s -> {
            write(s, "GET /stream?id=mid HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            readUntil(s, "first");
        }); // mid-response
        app.release("mid");

        assertQuietButDebugged();
    }

    @Test
    void http2ResetsAtAnyPointLogAtDebugOnly() throws Exception {
        start(Protocol.H2C);

        resetAfter(s -> {}); // before the first byte
        resetAfter(s -> write(s, PREFACE)); // mid-handshake
        resetAfter(s -> {
            s.getOutputStream().write(h2Request("/healthz"));
            readUntil(s, "\"status\"");
        }); // a health check that read its answer
        resetAfter(s -> s.getOutputStream().write(h2Request("/healthz"))); // one that did not wait
        resetAfter(s -> {
            s.getOutputStream().write(h2Request("/hold?id=h2"));
            awaitHeld("h2");
        }); // mid-request
        app.release("h2");

        assertQuietButDebugged();
    }

    private interface SocketAction {
        void accept(Socket s) throws Exception;
    }

    /** Connects, does {@code before}, then closes with a TCP reset (SO_LINGER 0), as HAProxy does. */
    private void resetAfter(SocketAction before) throws Exception {
        int connectionsBefore = server.netty.connections();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            s.setSoTimeout(10_000);
            await().atMost(AT_MOST).until(() -> server.netty.connections() > connectionsBefore);
            before.accept(s);
            s.setSoLinger(true, 0);
        }
        await().atMost(AT_MOST).until(() -> server.netty.connections() == connectionsBefore);
    }

    private void assertQuietButDebugged() {
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).doesNotContain("WARN").doesNotContain("ERROR").doesNotContain("\tat ");
        assertThat(logs).contains("DEBUG").contains(DEBUG_LINE);
    }

    private static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static void readUntil(Socket s, String marker) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder seen = new StringBuilder();
        int b;
        while (seen.indexOf(marker) < 0 && (b = in.read()) >= 0) {
            seen.append((char) b);
        }
        assertThat(seen.toString()).contains(marker);
    }

    private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    /** The client preface, an empty SETTINGS frame and a GET on stream 1 (HPACK: static indexes, no Huffman). */
    private static byte[] h2Request(String path) {
        byte[] p = path.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PREFACE.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {0, 0, 0, 0x4, 0, 0, 0, 0, 0});
        int length = 3 + 1 + p.length;
        out.writeBytes(new byte[] {0, 0, (byte) length, 0x1, 0x5, 0, 0, 0, 1});
        // :method GET, :scheme http, :path literal with indexed name 4.
        out.writeBytes(new byte[] {(byte) 0x82, (byte) 0x86, 0x04, (byte) p.length});
        out.writeBytes(p);
        return out.toByteArray();
    }
}
