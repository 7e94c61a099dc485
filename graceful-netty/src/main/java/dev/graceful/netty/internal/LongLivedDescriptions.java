package dev.graceful.netty.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The descriptions of long-lived connections ({@code "GET /ws"}), shared: a service's thousands of
 * WebSockets mostly open the same few paths, and each kept its own copy of the same string for as
 * long as it stayed open. Bounded, so that paths unique to each connection (a token in the query)
 * cost nothing beyond the copy each keeps anyway.
 */
final class LongLivedDescriptions {

    /** At most this many distinct descriptions are shared; the rest are kept by their connection only. */
    static final int MAX_SHARED = 64;

    private final ConcurrentHashMap<String, String> shared = new ConcurrentHashMap<>();

    /** The description {@code method + " " + target}, the shared copy when there is one. */
    String of(CharSequence method, CharSequence target) {
        String d = method + " " + target;
        String known = shared.get(d);
        if (known != null) {
            return known;
        }
        if (shared.size() >= MAX_SHARED) {
            return d;
        }
        known = shared.putIfAbsent(d, d);
        return known == null ? d : known;
    }
}
