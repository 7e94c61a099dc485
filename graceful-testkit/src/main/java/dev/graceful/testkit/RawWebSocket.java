package dev.graceful.testkit;

import dev.graceful.testkit.RawHttpConnection.Close;
import dev.graceful.testkit.RawHttpConnection.Response;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client over a plain socket (RFC 6455, text and control frames, no extensions), so
 * that a scenario decides what is on the wire: above all a client that reads the server's Close
 * and never answers it. (The JDK's client answers a Close by itself once its listener returns.)
 */
public final class RawWebSocket implements AutoCloseable {

    /** The opcode of a text frame. */
    public static final int TEXT = 0x1;
    /** The opcode of a Close frame. */
    public static final int CLOSE = 0x8;
    /** The opcode of a Ping frame. */
    public static final int PING = 0x9;

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final RawHttpConnection connection;

    private RawWebSocket(RawHttpConnection connection) {
        this.connection = connection;
    }

    /**
     * Connects to {@code 127.0.0.1:port} and upgrades {@code GET path} to a WebSocket.
     *
     * @param port the server's port
     * @param path the path, such as {@code /ws}
     * @return the open socket
     * @throws IOException when the server does not answer 101 with the right {@code Sec-WebSocket-Accept}
     */
    public static RawWebSocket open(int port, String path) throws IOException {
        RawHttpConnection c = RawHttpConnection.open(port);
        try {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            c.sendRaw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            Response head = c.readHead();
            if (head.status() != 101 || !accept(key).equals(head.header("Sec-WebSocket-Accept"))) {
                throw new IOException("not upgraded: " + head.status() + " " + head.headers());
            }
            return new RawWebSocket(c);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * The {@code Sec-WebSocket-Accept} a server answers {@code key} with.
     *
     * @param key the client's {@code Sec-WebSocket-Key}
     * @return base64 of the SHA-1 of the key and the RFC's GUID
     */
    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /**
     * Sends one text message in one masked frame.
     *
     * @param text the message
     * @throws IOException on failure
     */
    public void sendText(String text) throws IOException {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        OutputStream out = connection.output();
        out.write(Frame.encode(TEXT, text.getBytes(StandardCharsets.UTF_8), mask));
        out.flush();
    }

    /**
     * Reads the next frame (blocking, at most the connection's read timeout), answering nothing.
     *
     * @return the frame
     * @throws IOException when the connection ends or fails first
     */
    public Frame readFrame() throws IOException {
        return Frame.decode(connection.input());
    }

    /**
     * Reads frames up to the next text message, skipping pings (a server's keep-alive).
     *
     * @return the message
     * @throws IOException when the connection ends first or a Close comes instead
     */
    public String readText() throws IOException {
        Frame f;
        while ((f = readFrame()).opcode() == PING) {
            // not answered: the scenarios' servers must not depend on pongs
        }
        if (f.opcode() != TEXT) {
            throw new IOException("expected a text frame, got " + f);
        }
        return f.text();
    }

    /**
     * Waits for the server to end the TCP connection, after a Close this client has not answered.
     *
     * @param atMost how long to wait
     * @return how it ended (see {@link RawHttpConnection#awaitClose(Duration)})
     * @throws IOException on other failures
     */
    public Close awaitEnd(Duration atMost) throws IOException {
        return connection.awaitClose(atMost);
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }

    /**
     * One whole frame (fragmented messages are not supported: the kit's messages are small).
     *
     * @param opcode  the opcode, such as {@link #TEXT} or {@link #CLOSE}
     * @param payload the unmasked payload
     */
    public record Frame(int opcode, byte[] payload) {

        /** The payload as UTF-8 text. */
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** A Close frame's status code, or -1 when it has none (or this is not a Close). */
        public int closeStatus() {
            return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }

        /** A Close frame's reason, possibly empty. */
        public String closeReason() {
            return opcode == CLOSE && payload.length > 2
                    ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
                    : "";
        }

        /**
         * Encodes a final frame; masked when {@code mask} has 4 bytes (a client's frames must be).
         *
         * @param opcode  the opcode
         * @param payload the payload
         * @param mask    4 bytes, or {@code null} for an unmasked (server's) frame
         * @return the frame's bytes
         */
        static byte[] encode(int opcode, byte[] payload, byte[] mask) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
            out.write(0x80 | opcode);
            int maskBit = mask == null ? 0 : 0x80;
            if (payload.length < 126) {
                out.write(maskBit | payload.length);
            } else if (payload.length <= 0xffff) {
                out.write(maskBit | 126);
                out.write(payload.length >>> 8);
                out.write(payload.length & 0xff);
            } else {
                out.write(maskBit | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (((long) payload.length >>> shift) & 0xff));
                }
            }
            if (mask != null) {
                out.write(mask, 0, 4);
            }
            for (int i = 0; i < payload.length; i++) {
                out.write(mask == null ? payload[i] : payload[i] ^ mask[i & 3]);
            }
            return out.toByteArray();
        }

        /**
         * Reads one frame, unmasking it if it is masked.
         *
         * @param in the stream
         * @return the frame
         * @throws IOException when the stream ends inside a frame, or the frame is fragmented or too big
         */
        static Frame decode(InputStream in) throws IOException {
            int b0 = in.read();
            if (b0 < 0) {
                throw new EOFException("connection closed before a frame");
            }
            if ((b0 & 0x80) == 0 || (b0 & 0x0f) == 0) {
                throw new IOException("a fragmented frame (not supported): first byte " + Integer.toHexString(b0));
            }
            int b1 = readByte(in);
            long length = b1 & 0x7f;
            if (length == 126) {
                length = (readByte(in) << 8) | readByte(in);
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte(in);
                }
            }
            if (length > 16 * 1024 * 1024) {
                throw new IOException("a frame of " + length + " bytes (the kit's are small)");
            }
            byte[] mask = (b1 & 0x80) != 0 ? readFully(in, 4) : null;
            byte[] payload = readFully(in, (int) length);
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            return new Frame(b0 & 0x0f, payload);
        }

        private static int readByte(InputStream in) throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a frame");
            }
            return b;
        }

        private static byte[] readFully(InputStream in, int n) throws IOException {
            byte[] bytes = in.readNBytes(n);
            if (bytes.length < n) {
                throw new EOFException("connection closed inside a frame");
            }
            return bytes;
        }

        @Override
        public String toString() {
            return opcode == CLOSE
                    ? "Close[" + closeStatus() + " " + closeReason() + "]"
                    : "Frame[opcode " + opcode + ", " + payload.length + " bytes]";
        }
    }
}
