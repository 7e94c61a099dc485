package dev.graceful.servlet;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A WebSocket client that upgrades and then never answers anything: the peer graceful must cut.
 * A raw socket, because the JDK's client answers a Close by itself.
 */
final class RawWebSocket implements AutoCloseable {

    /** A Close frame as received. */
    record Close(int code, String reason) {}

    private final Socket socket;
    private final DataInputStream in;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects and upgrades {@code path}. */
    static RawWebSocket open(int port, String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        RawWebSocket ws = new RawWebSocket(socket);
        OutputStream out = socket.getOutputStream();
        String key = Base64.getEncoder().encodeToString("graceful-testkey".getBytes(StandardCharsets.US_ASCII));
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = ws.readLine();
        if (status == null || !status.contains(" 101 ")) {
            throw new IOException("not upgraded: " + status);
        }
        String line;
        while ((line = ws.readLine()) != null && !line.isEmpty()) {
            // headers
        }
        return ws;
    }

    /** Reads frames until a Close (servers do not mask). */
    Close readClose() throws IOException {
        while (true) {
            int b0 = in.readUnsignedByte();
            int len = in.readUnsignedByte() & 0x7F;
            long length = len == 126 ? in.readUnsignedShort() : len == 127 ? in.readLong() : len;
            byte[] payload = in.readNBytes((int) length);
            if ((b0 & 0x0F) == 0x8) {
                int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                String reason =
                        payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                return new Close(code, reason);
            }
        }
    }

    /** Whether the server closed the connection (EOF or reset) within {@code atMost}. */
    boolean awaitClosedByServer(Duration atMost) throws IOException {
        socket.setSoTimeout((int) atMost.toMillis());
        try {
            while (in.read() >= 0) {
                // more frames: keep reading
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
