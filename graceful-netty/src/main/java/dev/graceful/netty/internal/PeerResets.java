package dev.graceful.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.regex.Pattern;
import org.slf4j.Logger;

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

    /**
     * Closes a connection its peer reset or aborted, with a DEBUG line: left to the pipeline's tail,
     * it would be a WARN with a stack trace for every load balancer health check. Every other
     * exception goes on unchanged, so the application's handlers still see their own failures.
     */
    static void closeQuietlyOrPass(ChannelHandlerContext ctx, Throwable cause, Logger log) {
        if (isPeerReset(cause)) {
            if (log.isDebugEnabled()) {
                log.debug("Connection from {} reset by its peer: {}", remote(ctx.channel()), cause.toString());
            }
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    /** The peer's address for a log line or a description. */
    static String remote(Channel channel) {
        Object a = channel.remoteAddress();
        return a == null ? "unknown peer" : a.toString();
    }
}
