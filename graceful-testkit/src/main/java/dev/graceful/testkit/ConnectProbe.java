package dev.graceful.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Whether a server's listener is closed: a new TCP connection is refused, not accepted and not left
 * waiting in the accept queue. That is what a drain promises once its readiness delay is over.
 */
public final class ConnectProbe {

    private static final int CONNECT_TIMEOUT_MS = 1000;

    private ConnectProbe() {}

    /**
     * Probes once.
     *
     * @param host the host
     * @param port the port
     * @return {@code true} only for a clean refusal; {@code false} when the connection was accepted,
     *         and also when the connect was reset or timed out (see {@link #awaitRefused})
     */
    public static boolean isRefused(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException closing) {
            // A SYN racing the listener's close can be dropped (the connect times out while the
            // kernel waits to resend it) or answered by a reset: that proves nothing yet.
            return false;
        }
    }

    /**
     * Probes at once and then every 10 ms until a connection is refused cleanly; a reset or a timed-out
     * connect means "probe again", not "refused".
     *
     * @param host   the host
     * @param port   the port
     * @param atMost how long at most
     * @throws org.awaitility.core.ConditionTimeoutException when connections are still accepted after
     *         {@code atMost}
     */
    public static void awaitRefused(String host, int port, Duration atMost) {
        await("connections to " + host + ":" + port + " refused")
                .atMost(atMost)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> isRefused(host, port));
    }
}
