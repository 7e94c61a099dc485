package dev.graceful.grpc.internal;

import dev.graceful.InFlightWork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Where calls in flight can be found for the stuck-work report, without allocating: a fixed table
 * each call claims one slot of (a few probes from a random start, one CAS) and clears when it
 * ends. A call that finds no free slot within {@link #PROBES} probes is still counted by the
 * tracker, only not described by name; the report says how many such calls there were.
 */
final class CallSlots {

    static final int SIZE = 4096;
    static final int PROBES = 8;
    private static final int MASK = SIZE - 1;

    private final AtomicReferenceArray<TrackedCall<?>> slots = new AtomicReferenceArray<>(SIZE);

    /** Claims a slot for {@code call}; returns its index, or -1 when none was free. */
    int claim(TrackedCall<?> call) {
        int start = ThreadLocalRandom.current().nextInt();
        for (int i = 0; i < PROBES; i++) {
            int index = (start + i) & MASK;
            if (slots.get(index) == null && slots.compareAndSet(index, null, call)) {
                return index;
            }
        }
        return -1;
    }

    void release(int index) {
        if (index >= 0) {
            slots.set(index, null);
        }
    }

    /**
     * The described calls, oldest first, at most {@code max}, plus one line for the calls in
     * flight that had no slot.
     */
    List<InFlightWork> describe(String kind, long inFlight, int max) {
        long now = System.nanoTime();
        List<TrackedCall<?>> found = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            TrackedCall<?> c = slots.get(i);
            if (c != null) {
                found.add(c);
            }
        }
        found.sort(Comparator.comparingLong(TrackedCall::startNanos));
        List<InFlightWork> out = new ArrayList<>();
        for (TrackedCall<?> c : found.subList(0, Math.min(found.size(), max))) {
            out.add(new InFlightWork(kind, c.description(), Duration.ofNanos(now - c.startNanos())));
        }
        long undescribed = inFlight - found.size();
        if (undescribed > 0 && out.size() < max) {
            out.add(new InFlightWork(kind, undescribed + " more call(s) not described", Duration.ZERO));
        }
        return out;
    }
}
