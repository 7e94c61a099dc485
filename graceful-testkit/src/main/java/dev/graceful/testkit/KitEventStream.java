package dev.graceful.testkit;

import dev.graceful.testkit.RawHttpConnection.Close;
import dev.graceful.testkit.RawHttpConnection.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * A client of an event stream ({@code text/event-stream}) whose events carry the data
 * {@code "PREFIX N"}, N = 1, 2, ... ({@code /events} of {@link KitApp}, of the examples), read over
 * a plain socket so that the end of the stream is seen as it is on the wire: the chunked
 * terminator and then an orderly close, or a reset, or a truncated chunk or event.
 *
 * <p>Events are parsed as the SSE specification says (a {@code data:} field, one optional space
 * after the colon, an empty line ends the event; comments and other fields are ignored) and must
 * come in sequence: one missing, repeated or garbled fails the read.
 */
public final class KitEventStream implements AutoCloseable {

    private final RawHttpConnection connection;
    private final Response head;
    private final String prefix;
    private final StringBuilder pending = new StringBuilder();
    private long count;

    private KitEventStream(RawHttpConnection connection, Response head, String prefix) {
        this.connection = connection;
        this.head = head;
        this.prefix = prefix;
    }

    /**
     * Sends {@code GET path} on a new connection to {@code 127.0.0.1:port} and reads the response head.
     *
     * @param port   the server's port
     * @param path   the path, such as {@code /events}
     * @param prefix what each event's data starts with before its number ({@code "kit"}, or an example's version)
     * @return the stream, its head read
     * @throws IOException when the connection fails
     */
    public static KitEventStream open(int port, String path, String prefix) throws IOException {
        RawHttpConnection c = RawHttpConnection.open(port);
        try {
            c.send("GET", path, null);
            return new KitEventStream(c, c.readHead(), prefix);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The response head: check it with {@link #isEventStream()} before reading events. */
    public Response head() {
        return head;
    }

    /** Whether the head says 200, {@code text/event-stream}, chunked (a body of unknown length). */
    public boolean isEventStream() {
        String type = head.header("Content-Type");
        String encoding = head.header("Transfer-Encoding");
        return head.status() == 200
                && type != null
                && type.toLowerCase(Locale.ROOT).startsWith(KitApp.EVENT_STREAM_TYPE)
                && encoding != null
                && encoding.toLowerCase(Locale.ROOT).contains("chunked");
    }

    /** How many whole events have been read so far (the last one's number). */
    public long count() {
        return count;
    }

    /**
     * Reads until at least {@code total} events have arrived since the stream opened.
     *
     * @param total the number of events to have read
     * @return the number read (at least {@code total}: a chunk may hold several)
     * @throws IOException when the stream ends first, or an event is out of sequence
     */
    public long awaitEvents(long total) throws IOException {
        while (count < total) {
            String chunk = connection.readChunk();
            if (chunk == null) {
                throw new IOException("the stream ended after " + count + " event(s), " + total + " awaited");
            }
            take(chunk);
        }
        return count;
    }

    /**
     * Reads the rest of the stream: every event up to the chunked terminator, then waits for the
     * server to close the connection.
     *
     * @param atMost how long to wait for the close after the terminator
     * @return how the connection ended after the terminator ({@link Close#EOF} is the orderly end)
     * @throws IOException when the stream is reset or closed before its terminator, ends inside an
     *                     event, or an event is out of sequence
     */
    public Close readToEnd(Duration atMost) throws IOException {
        String chunk;
        while ((chunk = connection.readChunk()) != null) {
            take(chunk);
        }
        if (pending.length() > 0) {
            throw new IOException("the stream ended inside an event: '" + pending + "'");
        }
        return connection.awaitClose(atMost);
    }

    private void take(String chunk) throws IOException {
        pending.append(chunk.replace("\r\n", "\n"));
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
            String event = pending.substring(0, end);
            pending.delete(0, end + 2);
            String data = data(event);
            if (data == null) {
                continue; // a comment or a field without data: no event (SSE dispatches none)
            }
            String expected = prefix + " " + (count + 1);
            if (!data.equals(expected)) {
                throw new IOException("event " + (count + 1) + ": expected data '" + expected + "', got '" + data
                        + "' (an event lost, repeated or garbled)");
            }
            count++;
        }
    }

    private static String data(String event) {
        StringBuilder data = null;
        for (String line : event.split("\n", -1)) {
            if (line.startsWith("data:")) {
                String value = line.substring(5);
                value = value.startsWith(" ") ? value.substring(1) : value;
                data = data == null
                        ? new StringBuilder(value)
                        : data.append('\n').append(value);
            }
        }
        return data == null ? null : data.toString();
    }

    /** Leaves: closes the connection (a client that goes away, the kit's cleanup). */
    @Override
    public void close() throws IOException {
        connection.close();
    }
}
