package dev.graceful.servlet.jetty;

import dev.graceful.servlet.internal.ConnectionDrain;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.ee11.servlet.AsyncContextState;
import org.eclipse.jetty.ee11.servlet.ServletApiRequest;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.HttpChannel;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.internal.HttpChannelState;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@link JettyParticipant} reads of Jetty 12 that is not public API: whether an HTTP/1
 * connection is idle, and whether the response on it will end before or after the drain began.
 * Both read Jetty's HTTP/1 connection and channel ({@code org.eclipse.jetty.server.internal}),
 * which Jetty does not export on the module path. The members are checked once; when one is
 * missing or not accessible, one warning says so and connections are left alone (they close when
 * the server stops).
 *
 * <p>Why the participant does not simply call Jetty's {@code connector.shutdown()}: a shut-down
 * connector makes every later <em>send</em> non-persistent, including the empty final send with
 * which Jetty completes an exchange whose bytes (all of a {@code Content-Length} body) the client
 * already has, and so closes that connection under the next request the client had every right to
 * send on it (see "Closing a connection only where the client can know" in docs/architecture.md).
 * The decision here is taken once, when the drain begins, from what the client has already
 * received.
 *
 * <p>{@link AsyncStarts} is the one private member {@link GracefulJettyHandler} reads.
 */
final class JettyInternals {

    static final String IS_REQUEST_BUFFER_EMPTY = "HttpConnection.isRequestBufferEmpty()";
    static final String GET_PARSER = "HttpConnection.getParser()";
    static final String GET_HTTP_CHANNEL = "HttpConnection.getHttpChannel()";
    static final String GET_GENERATOR = "HttpConnection.getGenerator()";
    static final String GET_RESPONSE = "HttpChannelState.getResponse()";
    static final List<String> MEMBERS =
            List.of(IS_REQUEST_BUFFER_EMPTY, GET_PARSER, GET_HTTP_CHANNEL, GET_GENERATOR, GET_RESPONSE);

    private static final Logger log = LoggerFactory.getLogger(JettyInternals.class);
    private static final String NO_INSPECTION = "idle HTTP/1 connections will be closed only when the server stops, "
            + "and responses already in progress during a drain will not close their connection";

    private final List<String> missing = new ArrayList<>();

    private static final class Running {
        static final JettyInternals INSTANCE = new JettyInternals(Set.of());
    }

    /**
     * Checks the members.
     *
     * @param hidden members to treat as missing (the names above): for tests of the fallback
     */
    JettyInternals(Set<String> hidden) {
        for (String member : MEMBERS) {
            try {
                if (hidden.contains(member)) {
                    throw new NoSuchMethodException(member + " hidden");
                }
                Class<?> type = member.startsWith("HttpChannelState.") ? HttpChannelState.class : HttpConnection.class;
                Class<?> returned = type.getMethod(member.substring(member.indexOf('.') + 1, member.indexOf('(')))
                        .getReturnType();
                if (returned != returnType(member)) {
                    throw new NoSuchMethodException(member + " returns " + returned.getName());
                }
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // One warning for all: they are one feature.
                if (missing.isEmpty()) {
                    log.warn("Jetty's {} is not accessible ({}): {}", member, e, NO_INSPECTION);
                }
                missing.add(member);
            }
        }
    }

    /** What each member must return for the calls compiled against Jetty 12.1 to link. */
    private static Class<?> returnType(String member) {
        return switch (member) {
            case IS_REQUEST_BUFFER_EMPTY -> boolean.class;
            case GET_PARSER -> HttpParser.class;
            case GET_HTTP_CHANNEL -> HttpChannel.class;
            case GET_GENERATOR -> HttpGenerator.class;
            default -> Response.class;
        };
    }

    /** The members of the Jetty this process runs, checked once. */
    static JettyInternals running() {
        return Running.INSTANCE;
    }

    /** The members that are missing or not accessible (or hidden). */
    List<String> missing() {
        return List.copyOf(missing);
    }

    /**
     * Whether no request is being served on the connection: it is idle, or still short of a
     * complete request head (Jetty creates the request once the head is parsed) and has delivered
     * nothing for {@link ConnectionDrain#STALLED_HEAD_QUIET_MILLIS} ms. Such a connection holds no
     * work. The idle checks follow the order in which a new request shows up (bytes buffered, then
     * the parser leaves START, then the request exists), so a request arriving during the checks is
     * seen by a later one.
     *
     * @param endPoint the connection's end point
     * @return {@code true} when no request is being served; {@code false} when one is, not HTTP/1,
     *         or not inspectable
     */
    boolean servesNoRequest(EndPoint endPoint) {
        HttpConnection http = http1(endPoint);
        if (http == null) {
            return false;
        }
        try {
            if (http.getHttpChannel().getRequest() != null) {
                return false;
            }
            // Fill interest too: without it, bytes have arrived and a read is on its way (on a busy
            // machine, or a virtual thread not yet scheduled), though nothing is buffered yet.
            boolean idle = http.isRequestBufferEmpty() && http.getParser().isStart() && endPoint.isFillInterested();
            return idle
                    || endPoint instanceof IdleTimeout quiet
                            && quiet.getIdleFor() >= ConnectionDrain.STALLED_HEAD_QUIET_MILLIS;
        } catch (LinkageError inaccessible) {
            log.debug("Cannot inspect {}", endPoint, inaccessible);
            return false;
        }
    }

    /**
     * Makes the connection close after the response in progress on it, when that response has not
     * reached the client entirely yet: one not committed will carry {@code Connection: close}; a
     * committed one (a stream) closes after its last byte. A response whose every byte is already
     * written is left alone, even if Jetty has not finished the exchange yet: the client may
     * already be sending its next request on the connection, and closing under it would lose that
     * request. Such a connection closes at the final close, when idle.
     *
     * <p>Called from another thread than the connection's. The generator's persistence flag is the
     * one field Jetty itself flips to end a connection; should the write race with the end of the
     * response, the response had just sent its last byte after the drain began, which is the case
     * this method closes anyway.
     *
     * @param endPoint the connection's end point
     * @return {@code true} when the connection will close after its response
     */
    boolean closeAfterResponse(EndPoint endPoint) {
        HttpConnection http = http1(endPoint);
        if (http == null) {
            return false;
        }
        try {
            HttpGenerator generator = http.getGenerator();
            if (!generator.isPersistent()) {
                return false;
            }
            HttpChannel channel = http.getHttpChannel();
            Request request = channel.getRequest();
            if (request == null) {
                // Between requests: the next one's persistence is decided when its headers are
                // parsed, with keep-alive disabled on the connector.
                return false;
            }
            if (generator.isState(HttpGenerator.State.START) || stillSending(generator, channel, request)) {
                generator.setPersistent(false);
                return true;
            }
            return false;
        } catch (LinkageError inaccessible) {
            log.debug("Cannot inspect {}", endPoint, inaccessible);
            return false;
        }
    }

    /** A committed response of which the client does not have every byte yet. */
    private static boolean stillSending(HttpGenerator generator, HttpChannel channel, Request request) {
        if (!generator.isState(HttpGenerator.State.COMMITTED)
                || generator.isNoContent()
                || HttpMethod.HEAD.is(request.getMethod())) {
            // COMPLETING and END: the last bytes are generated, perhaps already received.
            return false;
        }
        if (generator.isChunking()) {
            // The terminating chunk is only generated when the response completes.
            return true;
        }
        if (channel instanceof HttpChannelState state) {
            Response response = state.getResponse();
            if (response != null) {
                long contentLength;
                try {
                    contentLength = response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
                } catch (NumberFormatException invalid) {
                    return false;
                }
                return contentLength > generator.getContentPrepared();
            }
        }
        return false;
    }

    /** The connection's HTTP/1 connection (under TLS too), or {@code null}: another protocol, or the members are missing. */
    HttpConnection http1(EndPoint endPoint) {
        if (!missing.isEmpty()) {
            return null;
        }
        try {
            Connection connection = endPoint.getConnection();
            if (connection instanceof SslConnection ssl) {
                connection = ssl.getSslEndPoint().getConnection();
            }
            return connection instanceof HttpConnection http ? http : null;
        } catch (LinkageError inaccessible) {
            // Jetty on the module path does not export its HTTP/1 connection class.
            log.debug("Cannot inspect {}", endPoint, inaccessible);
            return null;
        }
    }

    /**
     * Whether a servlet request of Jetty's ee11 never started asynchronous processing, read from the
     * field its {@code startAsync()} sets ({@code ServletApiRequest._async}, set once and never
     * cleared: the object serves one request), without the lock under which Jetty answers
     * {@code isAsyncStarted()}. That lock was 0.07 µs of the 0.23 the handler cost a request while
     * it asked every time (docs/BENCHMARKS.md), and almost every request never starts asynchronous
     * processing, so the handler asks Jetty only when the field is set. When the field is missing or not accessible
     * (Jetty on the module path, another version), one warning says so and every request asks
     * Jetty. Loaded only by the handler: it needs {@code jetty-ee11-servlet}, which the participant
     * does not.
     */
    static final class AsyncStarts {

        static final String FIELD = "ServletApiRequest._async";

        private static final VarHandle ASYNC = resolve();

        private static final class Running {
            static final AsyncStarts INSTANCE = new AsyncStarts(false);
        }

        private final boolean readable;

        /** @param hidden treat the field as missing: for tests of the fallback */
        AsyncStarts(boolean hidden) {
            this.readable = ASYNC != null && !hidden;
        }

        /** As the Jetty this process runs allows, resolved once. */
        static AsyncStarts running() {
            return Running.INSTANCE;
        }

        /** Whether the field is read (else Jetty is asked every time). */
        boolean readable() {
            return readable;
        }

        /**
         * Whether {@code request} surely never started asynchronous processing: {@code false} when it
         * did, or when the field cannot be read (the caller then asks Jetty).
         */
        boolean neverStarted(ServletApiRequest request) {
            return readable && (AsyncContextState) ASYNC.get(request) == null;
        }

        private static VarHandle resolve() {
            try {
                return MethodHandles.privateLookupIn(ServletApiRequest.class, MethodHandles.lookup())
                        .findVarHandle(ServletApiRequest.class, "_async", AsyncContextState.class);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                log.warn(
                        "Jetty's {} is not accessible ({}): each request asks Jetty under its lock whether it "
                                + "went asynchronous, which costs a little more",
                        FIELD,
                        e.toString());
                return null;
            }
        }
    }
}
