package dev.graceful.loadgen.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One kept-alive HTTP/1.1 connection over a plain socket. Deliberately not the JDK's
 * {@code HttpClient}: that client silently retries some requests on a connection the server
 * closed, which would hide exactly the failures a deploy must not cause. Here every request is
 * sent once, every way it can fail is told apart, and whether HTTP allows sending it again is
 * decided by {@link ExchangeException#resendable()}, not guessed.
 */
public final class Http1Connection implements Closeable {

    /** How long a request with a body waits for {@code 100 Continue} before sending the body anyway. */
    public static final Duration CONTINUE_WAIT = Duration.ofSeconds(1);

    private final SocketChannel channel;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String hostHeader;
    private int exchanges;

    private Http1Connection(SocketChannel channel, String hostHeader) throws IOException {
        this.channel = channel;
        this.socket = channel.socket();
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        this.out = socket.getOutputStream();
        this.hostHeader = hostHeader;
    }

    /**
     * Connects.
     *
     * @param host           host name or address
     * @param port           port
     * @param connectTimeout bound on the TCP handshake
     * @param readTimeout    bound on each wait for response bytes
     * @return the connection
     * @throws ExchangeException of kind {@code refused} or {@code connect-failed}
     */
    public static Http1Connection open(String host, int port, Duration connectTimeout, Duration readTimeout)
            throws ExchangeException {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            Socket s = ch.socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            s.setSoTimeout((int) readTimeout.toMillis());
            return new Http1Connection(ch, host + ":" + port);
        } catch (ConnectException e) {
            closeQuietly(ch);
            throw new ExchangeException("refused", false, false, e);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new ExchangeException("connect-failed", false, false, e);
        }
    }

    /** How many exchanges completed on this connection (0: it is fresh). */
    public int exchanges() {
        return exchanges;
    }

    /**
     * Whether the server has closed this idle connection (or sent something unasked), looked at
     * without blocking. A client must not send a request on such a connection: this is what
     * pooling clients call the stale-connection check, and since it sends nothing it is no retry.
     *
     * @return {@code true} when the connection can no longer be used
     */
    public boolean isStale() {
        try {
            if (in.available() > 0) {
                return true;
            }
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.configureBlocking(false);
            try {
                return channel.read(one) != 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Sends one request and reads its whole response. A request with a body announces it with
     * {@code Expect: 100-continue} and sends the body only after the server's {@code 100 Continue}
     * (or after {@link #CONTINUE_WAIT} without an answer, as RFC 9110 allows): a server that
     * closes the connection before asking for the body provably never had the whole request.
     *
     * @param method the method
     * @param target the request target
     * @param body   the request body, or {@code null}
     * @return the response
     * @throws ExchangeException when no complete response arrived, naming how it failed
     */
    public Reply exchange(String method, String target, byte[] body) throws ExchangeException {
        boolean reused = exchanges > 0;
        boolean idempotent = method.equals("GET") || method.equals("HEAD");
        Reading reading = new Reading();
        boolean requestComplete = false;
        try {
            StringBuilder head = new StringBuilder(160)
                    .append(method)
                    .append(' ')
                    .append(target)
                    .append(" HTTP/1.1\r\n")
                    .append("Host: ")
                    .append(hostHeader)
                    .append("\r\n");
            if (body != null) {
                head.append("Content-Type: application/octet-stream\r\nContent-Length: ")
                        .append(body.length)
                        .append("\r\nExpect: 100-continue\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (body != null) {
                Head early = awaitContinue(reading);
                if (early != null) {
                    // A final answer without reading the body: the connection's state is unclear, drop it.
                    Reply reply = readBody(early, reading);
                    exchanges++;
                    return new Reply(reply.status(), reply.body(), true);
                }
                // From the first body byte on, the server may end up with the whole request.
                requestComplete = true;
                out.write(body);
                out.flush();
            }
            requestComplete = true;
            Reply reply = readBody(readFinalHead(reading), reading);
            exchanges++;
            return reply;
        } catch (SocketTimeoutException e) {
            throw new ExchangeException("timeout", reused, false, e);
        } catch (ProtocolException e) {
            throw new ExchangeException("bad-response", reused, false, e);
        } catch (IOException e) {
            // EOF or reset: what matters is whether any of the final response had arrived.
            boolean eof = e instanceof EndOfStream;
            String kind = reading.bytes == 0
                    ? (eof ? "closed-before-response" : "reset-before-response")
                    : (eof ? "closed-mid-response" : "reset-mid-response");
            // RFC 9110 9.2.2, RFC 9112 9.3.1: a request on a persistent connection that the server
            // closed before answering may be sent again if idempotent or provably not applied.
            boolean resendable = reused && reading.bytes == 0 && (idempotent || !requestComplete);
            throw new ExchangeException(kind, reused, resendable, e);
        }
    }

    /**
     * Waits for {@code 100 Continue}.
     *
     * @return {@code null} to send the body, or the head of a final response that came instead
     */
    private Head awaitContinue(Reading reading) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout((int) CONTINUE_WAIT.toMillis());
        try {
            while (true) {
                Head head = readHead(reading);
                if (head.status / 100 != 1) {
                    return head;
                }
                reading.bytes = 0;
                if (head.status == 100) {
                    return null;
                }
            }
        } catch (SocketTimeoutException e) {
            if (reading.bytes == 0) {
                return null;
            }
            throw e;
        } finally {
            socket.setSoTimeout(timeout);
        }
    }

    private Head readFinalHead(Reading reading) throws IOException {
        while (true) {
            Head head = readHead(reading);
            if (head.status / 100 != 1) {
                return head;
            }
            // An interim response (a late 100 Continue, 103 Early Hints) is not the answer.
            reading.bytes = 0;
        }
    }

    private Head readHead(Reading reading) throws IOException {
        String status = readLine(reading);
        if (!status.startsWith("HTTP/1.") || status.length() < 12) {
            throw new ProtocolException("not an HTTP/1.x status line: " + status);
        }
        Head head = new Head();
        head.status = parseInt(status.substring(9, 12), "status code in " + status);
        head.close = status.startsWith("HTTP/1.0");
        String line;
        while (!(line = readLine(reading)).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("bad header line: " + line);
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> head.length = parseInt(value, "content-length");
                case "transfer-encoding" -> head.chunked = value.contains("chunked");
                case "connection" -> {
                    if (value.contains("close")) {
                        head.close = true;
                    } else if (value.contains("keep-alive")) {
                        head.close = false;
                    }
                }
                default -> {}
            }
        }
        return head;
    }

    private Reply readBody(Head head, Reading reading) throws IOException {
        ByteArrayOutputStream bodyBytes = new ByteArrayOutputStream();
        boolean close = head.close;
        if (head.status == 204 || head.status == 304) {
            // no body
        } else if (head.chunked) {
            while (true) {
                String sizeLine = readLine(reading);
                int semi = sizeLine.indexOf(';');
                int size = parseHex(semi >= 0 ? sizeLine.substring(0, semi) : sizeLine);
                if (size == 0) {
                    while (!readLine(reading).isEmpty()) {
                        // trailers are ignored
                    }
                    break;
                }
                readFully(bodyBytes, size, reading);
                readLine(reading);
            }
        } else if (head.length >= 0) {
            readFully(bodyBytes, head.length, reading);
        } else {
            // Delimited by the close.
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                reading.bytes += n;
                bodyBytes.write(buf, 0, n);
            }
            close = true;
        }
        return new Reply(head.status, bodyBytes.toString(StandardCharsets.UTF_8), close);
    }

    private void readFully(ByteArrayOutputStream sink, long n, Reading reading) throws IOException {
        byte[] buf = new byte[4096];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new EndOfStream();
            }
            reading.bytes += r;
            sink.write(buf, 0, r);
            left -= r;
        }
    }

    private String readLine(Reading reading) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EndOfStream();
            }
            reading.bytes++;
            if (b == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            if (sb.length() > 16_384) {
                throw new ProtocolException("line longer than 16 KiB");
            }
            sb.append((char) b);
        }
    }

    private static int parseInt(String s, String what) throws ProtocolException {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new ProtocolException("bad " + what + ": " + s);
        }
    }

    private static int parseHex(String s) throws ProtocolException {
        try {
            return Integer.parseInt(s.trim(), 16);
        } catch (NumberFormatException e) {
            throw new ProtocolException("bad chunk size: " + s);
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing left to do with a connection we are abandoning
        }
    }

    /** A response's status line and the headers that matter here. */
    private static final class Head {
        int status;
        long length = -1;
        boolean chunked;
        boolean close;
    }

    /** Bytes of the current (final) response read so far. */
    private static final class Reading {
        long bytes;
    }

    /** The peer closed the stream (as opposed to resetting it). */
    private static final class EndOfStream extends IOException {
        private static final long serialVersionUID = 1L;

        EndOfStream() {
            super("connection closed by peer");
        }
    }

    /** The response was not HTTP/1.x as we know it. */
    private static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    /**
     * A complete response.
     *
     * @param status the status code
     * @param body   the body as UTF-8 text
     * @param close  whether the connection may not be reused
     */
    public record Reply(int status, String body, boolean close) {}

    /** An exchange that did not produce a complete response. */
    public static final class ExchangeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String kind;
        private final boolean reused;
        private final boolean resendable;

        ExchangeException(String kind, boolean reused, boolean resendable, Throwable cause) {
            super(kind + (reused ? " (kept-alive connection)" : "") + ": " + cause.getMessage(), cause);
            this.kind = kind;
            this.reused = reused;
            this.resendable = resendable;
        }

        /**
         * How it failed: {@code refused}, {@code connect-failed}, {@code reset-before-response},
         * {@code closed-before-response}, {@code reset-mid-response}, {@code closed-mid-response},
         * {@code timeout} or {@code bad-response}.
         */
        public String kind() {
            return kind;
        }

        /** Whether the request went out on a kept-alive connection, one that had served earlier requests. */
        public boolean reused() {
            return reused;
        }

        /**
         * Whether HTTP allows sending the request again on a new connection: it went out on a
         * kept-alive connection that the server closed before any of the response, and it is
         * idempotent ({@code GET}) or provably incomplete (its body was still held back waiting
         * for {@code 100 Continue}).
         */
        public boolean resendable() {
            return resendable;
        }
    }
}
