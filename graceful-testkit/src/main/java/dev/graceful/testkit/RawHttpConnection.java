package dev.graceful.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection over a plain socket, so that scenarios control exactly what is on the
 * wire: reusing a kept-alive connection, writing half a request, telling a clean close (EOF)
 * from a reset.
 */
public final class RawHttpConnection implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    // The CRLF ending a chunk's data is consumed lazily, before the next read: a server may send
    // it only with the next chunk (Jetty does), and a scenario must see a chunk as soon as its
    // data has arrived.
    private boolean chunkCrlfPending;

    private RawHttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Connects.
     *
     * @param port the port on 127.0.0.1
     * @return the connection
     * @throws IOException when the connection is refused or fails
     */
    public static RawHttpConnection open(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        return new RawHttpConnection(s);
    }

    /**
     * Writes a complete request.
     *
     * @param method the method
     * @param target the request target, for example {@code /hold?id=a}
     * @param body   the body, or {@code null} for none
     * @throws IOException on failure
     */
    public void send(String method, String target, String body) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n").append("Host: 127.0.0.1\r\n");
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            sb.append("Content-Type: text/plain\r\n")
                    .append("Content-Length: ")
                    .append(bytes.length)
                    .append("\r\n");
        }
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    /**
     * Writes raw bytes, for example half a request.
     *
     * @param text what to write (ISO-8859-1)
     * @throws IOException on failure
     */
    public void sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * Reads a whole response.
     *
     * @return the response
     * @throws IOException on failure, including EOF before a response
     */
    public Response read() throws IOException {
        Response head = readHead();
        return head.withBody(readBody(head));
    }

    /**
     * Reads the status line and headers of a response.
     *
     * @return the response without body
     * @throws IOException on failure, including EOF before a response
     */
    public Response readHead() throws IOException {
        consumePendingChunkCrlf();
        String status = readLine();
        if (status == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + status);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(
                                line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
        if (line == null) {
            throw new IOException("connection closed inside the response headers");
        }
        return new Response(Integer.parseInt(parts[1]), headers, "");
    }

    /**
     * Reads the next chunk of a chunked body.
     *
     * @return the chunk's text, or {@code null} after the last chunk (trailers consumed)
     * @throws IOException on failure
     */
    public String readChunk() throws IOException {
        consumePendingChunkCrlf();
        String sizeLine = readLine();
        if (sizeLine == null) {
            throw new IOException("connection closed inside a chunked body");
        }
        int semi = sizeLine.indexOf(';');
        int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
        if (size == 0) {
            String trailer;
            while ((trailer = readLine()) != null && !trailer.isEmpty()) {
                // skip trailers
            }
            return null;
        }
        byte[] data = in.readNBytes(size);
        if (data.length < size) {
            throw new IOException("connection closed inside a chunk");
        }
        chunkCrlfPending = true;
        return new String(data, StandardCharsets.UTF_8);
    }

    private void consumePendingChunkCrlf() throws IOException {
        if (chunkCrlfPending) {
            chunkCrlfPending = false;
            String rest = readLine();
            if (rest == null || !rest.isEmpty()) {
                throw new IOException("chunk data not followed by CRLF: '" + rest + "'");
            }
        }
    }

    private String readBody(Response head) throws IOException {
        if (head.status() == 204 || head.status() == 304 || head.status() / 100 == 1) {
            return "";
        }
        String length = head.header("content-length");
        if (length != null) {
            byte[] data = in.readNBytes(Integer.parseInt(length));
            return new String(data, StandardCharsets.UTF_8);
        }
        String te = head.header("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            StringBuilder sb = new StringBuilder();
            String chunk;
            while ((chunk = readChunk()) != null) {
                sb.append(chunk);
            }
            return sb.toString();
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /**
     * Reads a response to a HEAD request (no body, whatever the headers say).
     *
     * @return the response
     * @throws IOException on failure
     */
    public Response readHeadResponse() throws IOException {
        return readHead();
    }

    /**
     * Waits for the server to close the connection cleanly.
     *
     * @param atMost how long to wait
     * @return {@link Close#EOF} for an orderly close, {@link Close#RESET} for a reset,
     *         {@link Close#OPEN} when still open after {@code atMost}, {@link Close#DATA} when the
     *         server sent more bytes instead
     * @throws IOException on other failures
     */
    public Close awaitClose(Duration atMost) throws IOException {
        consumePendingChunkCrlf();
        socket.setSoTimeout((int) Math.max(1, atMost.toMillis()));
        try {
            int b = in.read();
            return b < 0 ? Close.EOF : Close.DATA;
        } catch (SocketTimeoutException e) {
            return Close.OPEN;
        } catch (SocketException e) {
            return Close.RESET;
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** The socket's input, for a protocol spoken after an upgrade ({@link RawWebSocket}). */
    InputStream input() {
        return in;
    }

    /** The socket's output, for a protocol spoken after an upgrade ({@link RawWebSocket}). */
    OutputStream output() {
        return out;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * Closes with a TCP reset (SO_LINGER 0), as load balancers end their health checks.
     *
     * @throws IOException on failure
     */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** How a connection ended. */
    public enum Close {
        /** Orderly close by the server. */
        EOF,
        /** Reset by the server: what a client must never see for a request it sent. */
        RESET,
        /** Still open. */
        OPEN,
        /** The server sent something else. */
        DATA
    }

    /**
     * A response.
     *
     * @param status  the status code
     * @param headers headers by lower-case name
     * @param body    the body as text
     */
    public record Response(int status, Map<String, List<String>> headers, String body) {

        /**
         * One header's first value.
         *
         * @param name case-insensitive name
         * @return the value, or {@code null}
         */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /**
         * Whether the server announced it will close the connection.
         *
         * @return {@code true} when a {@code Connection} header holds {@code close}
         */
        public boolean connectionClose() {
            List<String> values = headers.get("connection");
            return values != null
                    && values.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"));
        }

        Response withBody(String newBody) {
            return new Response(status, headers, newBody);
        }
    }
}
