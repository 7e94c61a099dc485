package dev.graceful.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cooperating WebSocket client: the JDK's ({@link HttpClient#newWebSocketBuilder()}), which
 * answers a server's Close with a Close of the same status as soon as {@link WebSocket.Listener#onClose}
 * returns, and then closes the TCP connection. For a client that never answers, see {@link RawWebSocket}.
 */
public final class KitWebSocket implements AutoCloseable {

    // One client for every socket: each HttpClient owns a selector thread, and Java 17 cannot close one.
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closing> closing = new CompletableFuture<>();
    private final Duration timeout;
    private final WebSocket socket;

    /**
     * The Close a server sent.
     *
     * @param status the status code, such as 1001
     * @param reason the reason, possibly empty
     */
    public record Closing(int status, String reason) {}

    private KitWebSocket(URI uri, Duration timeout) throws IOException {
        this.timeout = timeout;
        try {
            this.socket = CLIENT.newWebSocketBuilder()
                    .connectTimeout(timeout)
                    .buildAsync(uri, new Listener())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening " + uri, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot open " + uri + ": " + e, e);
        }
    }

    /**
     * Opens {@code ws://127.0.0.1:port/ws}.
     *
     * @param port the server's port
     * @return the open socket
     * @throws IOException when the upgrade fails or takes longer than {@link KitClient#TIMEOUT}
     */
    public static KitWebSocket open(int port) throws IOException {
        return open(port, "/ws", KitClient.TIMEOUT);
    }

    /**
     * Opens {@code ws://127.0.0.1:port} + {@code path}.
     *
     * @param port    the server's port
     * @param path    the path, such as {@code /ws}
     * @param timeout the bound of the upgrade and of every wait of this socket
     * @return the open socket
     * @throws IOException when the upgrade fails or times out
     */
    public static KitWebSocket open(int port, String path, Duration timeout) throws IOException {
        return new KitWebSocket(URI.create("ws://127.0.0.1:" + port + path), timeout);
    }

    /**
     * Sends one text message and waits for the next text message from the server.
     *
     * @param text what to send
     * @return the message received next
     * @throws IOException when sending fails, the socket closes first, or nothing comes within the timeout
     */
    public String echo(String text) throws IOException {
        try {
            socket.sendText(text, true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String answer = texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (answer == null) {
                throw new IOException("no message within " + timeout + " after sending '" + text + "'"
                        + (closing.isDone() ? "; the socket closed: " + closing.getNow(null) : ""));
            }
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot send '" + text + "': " + e, e);
        }
    }

    /**
     * Waits for the server's Close (this client has answered it by the time this returns).
     *
     * @return the status and reason the server sent
     * @throws IOException when the connection failed instead, or no Close came within the timeout
     */
    public Closing awaitClose() throws IOException {
        try {
            return closing.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException("the connection failed instead of a Close: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no Close within " + timeout, e);
        }
    }

    /** Whether the server's Close has arrived (or the connection failed). */
    public boolean closeReceived() {
        return closing.isDone();
    }

    /**
     * Leaves as a client does: sends Close 1000 and waits for the server's answer.
     *
     * @throws IOException when the server does not answer within the timeout
     */
    public void leave() throws IOException {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        awaitClose();
    }

    /** Drops the connection without a close handshake (the kit's cleanup). */
    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closing.complete(new Closing(statusCode, reason));
            return null; // the JDK answers with the same status now
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closing.completeExceptionally(error);
        }
    }
}
