package dev.graceful.netty.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.regex.Pattern;

/**
 * Tells a peer that reset or aborted its connection from every other failure. Load balancers close
 * their health checks with a TCP reset, several times a second, so these are routine, not errors.
 */
final class PeerResets {

    // Matched on the message because the JDK (SocketException), Netty's native transports
    // (NativeIoException) and Windows word the same errno differently; Netty's SslHandler does the same.
    private static final Pattern PEER_GONE = Pattern.compile(
            ".*(?:connection.*(?:reset|abort|closed)|broken pipe|forcibly closed).*", Pattern.CASE_INSENSITIVE);

    private PeerResets() {}

    static boolean isPeerReset(Throwable cause) {
        if (cause instanceof ClosedChannelException) {
            return true;
        }
        return cause instanceof IOException
                && cause.getMessage() != null
                && PEER_GONE.matcher(cause.getMessage()).matches();
    }
}
