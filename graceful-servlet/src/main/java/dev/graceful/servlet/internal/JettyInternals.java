package dev.graceful.servlet.internal;

import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.HttpChannel;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.internal.HttpChannelState;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Jetty participant needs to know about one HTTP/1 connection that Jetty 12 has no
 * public API for: whether it is idle, and whether the response on it will end before or after the
 * drain began. Both read Jetty's HTTP/1 connection ({@code org.eclipse.jetty.server.internal}),
 * which Jetty does not export on the module path: there the connection is left alone (it closes
 * when the server stops) and a debug line says why.
 *
 * <p>Why the participant does not simply call Jetty's {@code connector.shutdown()}: a shut-down
 * connector makes every later <em>send</em> non-persistent, including the empty final send with
 * which Jetty completes an exchange whose bytes (all of a {@code Content-Length} body) the client
 * already has. Such a connection was closed under the next request the client had every right to
 * send on it (seen under Spring Boot, which writes {@code Content-Length} as a plain header: 11 of
 * 200 runs of the kit's half-read-request scenario). The decision here is taken once, when the
 * drain begins, from what the client has already received.
 */
public final class JettyInternals {

    private static final Logger log = LoggerFactory.getLogger(JettyInternals.class);

    private JettyInternals() {
    }

    /**
     * Whether nothing is being read or served on the connection. The checks follow the order in
     * which a new request shows up (bytes buffered, then the parser leaves START, then the request
     * exists), so a request arriving during the checks is seen by a later one.
     *
     * @param endPoint the connection's end point
     * @return {@code true} when idle; {@code false} when busy, not HTTP/1, or not inspectable
     */
    public static boolean isIdle(EndPoint endPoint) {
        HttpConnection http = http1(endPoint);
        if (http == null) {
            return false;
        }
        try {
            return http.isRequestBufferEmpty() && http.getParser().isStart()
                    && http.getHttpChannel().getRequest() == null;
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
    public static boolean closeAfterResponse(EndPoint endPoint) {
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
        if (!generator.isState(HttpGenerator.State.COMMITTED) || generator.isNoContent()
                || HttpMethod.HEAD.is(request.getMethod())) {
            // COMPLETING and END: the last bytes are generated, perhaps already received.
            return false;
        }
        if (generator.isChunking()) {
            // The terminating chunk is only generated when the response completes.
            return true;
        }
        if (channel instanceof HttpChannelState) {
            Response response = ((HttpChannelState) channel).getResponse();
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

    private static HttpConnection http1(EndPoint endPoint) {
        try {
            Connection connection = endPoint.getConnection();
            if (connection instanceof SslConnection) {
                connection = ((SslConnection) connection).getSslEndPoint().getConnection();
            }
            return connection instanceof HttpConnection ? (HttpConnection) connection : null;
        } catch (LinkageError inaccessible) {
            // Jetty on the module path does not export its HTTP/1 connection class.
            log.debug("Cannot inspect {}", endPoint, inaccessible);
            return null;
        }
    }
}
