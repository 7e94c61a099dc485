package dev.graceful.netty.internal;

import dev.graceful.HealthEndpoint;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/** The health endpoint the handlers answer, and which of its paths a request asks for. */
final class HealthPaths {

    private final HealthEndpoint endpoint;
    private final String[] paths;

    /** @param endpoint the endpoint, or {@code null} to answer no health paths */
    HealthPaths(HealthEndpoint endpoint) {
        this.endpoint = endpoint;
        List<String> all = new ArrayList<>();
        if (endpoint != null) {
            all.addAll(endpoint.readinessPaths());
            all.addAll(endpoint.livenessPaths());
        }
        this.paths = all.toArray(new String[0]);
    }

    HealthEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Answers a health request, telling the endpoint which prober asked (its IP address, not its
     * port, and its {@code User-Agent}) for the probe-aware readiness delay.
     */
    HealthEndpoint.Response respond(Channel channel, String method, String path, CharSequence userAgent) {
        SocketAddress remote = channel.remoteAddress();
        String peer = remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : null;
        return endpoint.respond(method, path, peer, userAgent == null ? null : userAgent.toString());
    }

    /**
     * Which health path {@code target} asks for, without allocating: the path itself, or
     * {@code null} when it is no health path (a query string is ignored).
     */
    String match(CharSequence target) {
        if (target == null) {
            return null;
        }
        for (String p : paths) {
            int n = p.length();
            if (target.length() >= n
                    && regionEquals(target, p, n)
                    && (target.length() == n || target.charAt(n) == '?')) {
                return p;
            }
        }
        return null;
    }

    private static boolean regionEquals(CharSequence target, String p, int n) {
        for (int i = 0; i < n; i++) {
            if (target.charAt(i) != p.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
