package dev.graceful.internal;

import dev.graceful.GracefulShutdown;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java 17-21 stand-in for the datagram socket to systemd: sending needs the FFM API, so the
 * real class is in {@code src/main/java22} (the jar's {@code META-INF/versions/22}). This one says
 * so once and sends nothing.
 */
final class NotifySocket {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private NotifySocket() {}

    /** Logs why notify is off and returns {@code null}: this class cannot send. */
    static NotifySocket open(String address) throws IOException {
        int java = Runtime.version().feature();
        log.info(
                "systemd notify: NOTIFY_SOCKET is set but sending needs Java 22+ ({}); systemd will not hear "
                        + "READY/STOPPING/RELOADING from graceful: run on Java 22+, or use Type=exec in the unit",
                java < 22 ? "this is Java " + java : "this graceful-core was built without its Java 22 part");
        return null;
    }

    /** Never called: {@link #open} returns no instance. */
    void send(String message) throws IOException {
        throw new IOException("systemd notify needs Java 22+");
    }
}
