package dev.graceful.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The described units of one tracker in flight, for the stuck-work report. Striped by the thread that
 * begins a unit, each stripe an intrusive list under its own lock: beginning and closing a unit
 * touch one stripe, which other threads rarely share, and allocate nothing beyond the handle itself
 * (a concurrent set of handles costs a map node per unit and one shared table every thread writes).
 */
final class DescribedWork {

    private final Stripe[] stripes;

    DescribedWork() {
        int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 4 - 1)) << 1;
        stripes = new Stripe[Math.min(n, 256)];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** The list a unit lives in, with its neighbours; guarded by the stripe's lock. */
    static final class Stripe {
        WorkHandle head;
        // Keeps stripes on cache lines of their own: they are written by different threads.
        @SuppressWarnings("unused")
        private long p1, p2, p3, p4, p5, p6, p7;
    }

    void add(WorkHandle w) {
        Stripe s = stripes[(int) Thread.currentThread().getId() & (stripes.length - 1)];
        synchronized (s) {
            w.stripe = s;
            w.next = s.head;
            if (s.head != null) {
                s.head.prev = w;
            }
            s.head = w;
        }
    }

    void remove(WorkHandle w) {
        Stripe s = w.stripe;
        synchronized (s) {
            if (w.prev != null) {
                w.prev.next = w.next;
            } else {
                s.head = w.next;
            }
            if (w.next != null) {
                w.next.prev = w.prev;
            }
            w.prev = null;
            w.next = null;
        }
    }

    /** The units in flight now. */
    List<WorkHandle> snapshot() {
        List<WorkHandle> all = new ArrayList<>();
        for (Stripe s : stripes) {
            synchronized (s) {
                for (WorkHandle w = s.head; w != null; w = w.next) {
                    all.add(w);
                }
            }
        }
        return all;
    }
}
