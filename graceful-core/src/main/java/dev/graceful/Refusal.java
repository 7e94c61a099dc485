package dev.graceful;

import java.nio.charset.StandardCharsets;

/**
 * The one answer every adapter gives to work that arrives after the final close: a retryable
 * {@code 503} that asks the client to reconnect. Defined once, beside {@link HealthEndpoint}, so
 * that a client sees the same status, headers and body whichever server it reached.
 *
 * <p>An HTTP/1.1 refusal also carries {@code Connection: close}; HTTP/2 forbids that header (its
 * servers send GOAWAY instead), so adapters add it on HTTP/1.x only.
 */
public final class Refusal {

    /** The status: {@code 503 Service Unavailable}. */
    public static final int STATUS = 503;
    /** The value of {@code Retry-After}, in seconds: the next instance is ready by then. */
    public static final String RETRY_AFTER_SECONDS = "1";
    /** The content type of {@link #body()}. */
    public static final String CONTENT_TYPE = "text/plain; charset=US-ASCII";

    private static final byte[] BODY =
            "503 Service Unavailable: this instance is shutting down; retry\n".getBytes(StandardCharsets.US_ASCII);

    private Refusal() {}

    /**
     * The body, as a fresh copy: adapters keep one in the form their server writes without copying
     * (a Netty buffer, a data buffer) rather than asking per refusal.
     */
    public static byte[] body() {
        return BODY.clone();
    }
}
