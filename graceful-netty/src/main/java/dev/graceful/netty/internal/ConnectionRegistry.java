package dev.graceful.netty.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connections of one participant. Striped intrusive lists, each under its own lock, linked
 * through the connections themselves: registering allocates nothing, and an open connection costs
 * two references instead of a concurrent set's node and table slot (thousands of WebSockets stay
 * registered for hours). A connection's stripe follows from its identity hash, so it keeps no
 * pointer to it.
 */
final class ConnectionRegistry {

    private final Stripe[] stripes;
    private final AtomicInteger size = new AtomicInteger();

    ConnectionRegistry() {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)) << 1;
        stripes = new Stripe[Math.max(4, Math.min(n, 64))];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** One list; guarded by its own lock. */
    private static final class Stripe {
        GracefulConnection head;
    }

    private Stripe stripe(GracefulConnection c) {
        return stripes[System.identityHashCode(c) & (stripes.length - 1)];
    }

    void add(GracefulConnection c) {
        Stripe s = stripe(c);
        synchronized (s) {
            if (c.prev != null || s.head == c) {
                return; // already in
            }
            c.next = s.head;
            if (s.head != null) {
                s.head.prev = c;
            }
            s.head = c;
        }
        size.incrementAndGet();
    }

    /** Returns whether it was registered. */
    boolean remove(GracefulConnection c) {
        Stripe s = stripe(c);
        synchronized (s) {
            if (c.prev != null) {
                c.prev.next = c.next;
            } else if (s.head == c) {
                s.head = c.next;
            } else {
                return false;
            }
            if (c.next != null) {
                c.next.prev = c.prev;
            }
            c.prev = null;
            c.next = null;
        }
        size.decrementAndGet();
        return true;
    }

    int size() {
        return size.get();
    }

    boolean isEmpty() {
        return size.get() == 0;
    }

    /** The connections registered now. */
    List<GracefulConnection> snapshot() {
        List<GracefulConnection> all = new ArrayList<>(Math.max(0, size.get()));
        for (Stripe s : stripes) {
            synchronized (s) {
                for (GracefulConnection c = s.head; c != null; c = c.next) {
                    all.add(c);
                }
            }
        }
        return all;
    }
}
