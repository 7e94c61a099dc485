package dev.graceful.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulShutdown;
import dev.graceful.netty.NettyTestServer.Protocol;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.RawHttpConnection;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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

        resetAfter(c -> {}); // before the first byte
        resetAfter(c -> assertThat(healthCheck(c).status()).isEqualTo(200)); // a health check that read its answer
        resetAfter(c -> c.sendRaw(HEALTHZ)); // one that did not wait for it
        resetAfter(c -> c.sendRaw("GET /hold?id=head HTTP/1.1\r\nHo")); // mid-request head
        resetAfter(c -> {
            c.send("GET", "/", null);
            assertThat(c.read().body()).isEqualTo("hello");
        }); // an idle kept-alive connection
        resetAfter(c -> {
            c.send("GET", "/hold?id=held", null);
            awaitHeld("held");
        }); // mid-request, the application holding it
        resetAfter(c -> {
            c.send("GET", "/stream?id=mid", null);
            c.readHead();
            assertThat(c.readChunk()).isEqualTo(KitApp.STREAM_HEAD);
        }); // mid-response
        app.releaseAll();
        resetWebSocket(); // an open WebSocket, whose handler took the HTTP/1.1 handler's place

        assertQuietButDebugged();
    }

    private void resetWebSocket() throws Exception {
        RawHttpConnection c = RawHttpConnection.open(server.port());
        c.sendRaw("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertThat(c.readHead().status()).isEqualTo(101);
        await().atMost(AT_MOST).until(() -> graceful.longLived("websocket").count() == 1);
        c.reset();
        await().atMost(AT_MOST).until(() -> graceful.longLived("websocket").count() == 0);
    }

    @Test
    void http2ResetsAtAnyPointLogAtDebugOnly() throws Exception {
        start(Protocol.H2C);

        resetAfter(c -> {}); // before the first byte
        resetAfter(c -> c.sendRaw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")); // mid-preface
        resetH2After(h -> {
            h.get(1, "/healthz");
            assertThat(h.awaitResponse(1, AT_MOST)).startsWith("200");
        }); // a health check that read its answer
        resetH2After(h -> h.get(1, "/healthz")); // one that did not wait for it
        resetH2After(h -> {
            h.get(1, "/");
            assertThat(h.awaitResponse(1, AT_MOST)).isEqualTo("200 hello");
        }); // an idle connection
        resetH2After(h -> {
            h.get(1, "/hold?id=h2");
            awaitHeld("h2");
        }); // mid-request
        resetH2After(h -> {
            h.get(1, "/stream?id=h2mid");
            h.await(RawH2Connection.Type.DATA, AT_MOST);
        }); // mid-response
        app.releaseAll();

        assertQuietButDebugged();
    }

    private interface Step<T> {
        void accept(T connection) throws Exception;
    }

    private static final String HEALTHZ = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: HAProxy\r\n\r\n";

    private static RawHttpConnection.Response healthCheck(RawHttpConnection c) throws Exception {
        c.sendRaw(HEALTHZ);
        return c.read();
    }

    /** Connects, does {@code before}, then closes with a TCP reset and waits until the server let go. */
    private void resetAfter(Step<RawHttpConnection> before) throws Exception {
        int connections = awaitOneMore(() -> RawHttpConnection.open(server.port()), before, RawHttpConnection::reset);
        await().atMost(AT_MOST).until(() -> server.netty.connections() == connections);
    }

    private void resetH2After(Step<RawH2Connection> before) throws Exception {
        int connections = awaitOneMore(() -> RawH2Connection.open(server.port(), true), before, RawH2Connection::reset);
        await().atMost(AT_MOST).until(() -> server.netty.connections() == connections);
    }

    private interface Opener<T> {
        T open() throws Exception;
    }

    private <T> int awaitOneMore(Opener<T> opener, Step<T> before, Step<T> reset) throws Exception {
        int connections = server.netty.connections();
        T c = opener.open();
        await().atMost(AT_MOST).until(() -> server.netty.connections() > connections);
        before.accept(c);
        reset.accept(c);
        return connections;
    }

    private void assertQuietButDebugged() {
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).doesNotContain("WARN").doesNotContain("ERROR").doesNotContain("\tat ");
        assertThat(logs).contains("DEBUG").contains(DEBUG_LINE);
    }
}
