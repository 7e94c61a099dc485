package dev.graceful.internal;

import dev.graceful.Departure;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.LongLived;
import dev.graceful.Work;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every long-lived connection of every kind, and the three things the sequence does with them: ask
 * them all to leave when the listeners close ({@link #leave()}), wait for them to close
 * ({@link #awaitClosed()}), and cut the rest ({@link #cutAll(String)}).
 *
 * <p>The connections open are the described units of the long-lived kinds' trackers
 * ({@link LongLivedHandle}s): one object per connection, no registry of their own.
 *
 * <p>Opening races leaving the way admission races the gate: {@link #leave()} sets the flag, then
 * walks the described units; {@link Kind#open} adds its unit (under the stripe's lock), then reads
 * the flag. At least one of the two sees the other, and a connection's departure runs once whoever
 * calls it.
 */
final class LongLivedConnections {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final Trackers trackers;
    private final Scheduler scheduler;
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
    private volatile boolean leaving;
    private final AtomicInteger asked = new AtomicInteger();
    private final AtomicInteger cut = new AtomicInteger();

    LongLivedConnections(Trackers trackers, Scheduler scheduler) {
        this.trackers = trackers;
        this.scheduler = scheduler;
    }

    LongLived kind(String kind) {
        Kind k = kinds.get(kind);
        if (k != null) {
            return k;
        }
        DefaultTracker counter = trackers.longLived(kind); // validates the kind, tells the listeners
        return kinds.computeIfAbsent(kind, key -> {
            counter.afterClose(this::checkClosed);
            return new Kind(counter);
        });
    }

    int count() {
        long n = 0;
        for (Kind k : kinds.values()) {
            n += k.tracker.inFlight();
        }
        return (int) n;
    }

    /** The connections open now, of every kind. */
    private List<LongLivedHandle> open() {
        List<LongLivedHandle> all = new ArrayList<>();
        for (Kind k : kinds.values()) {
            for (WorkHandle w : k.tracker.described()) {
                if (w instanceof LongLivedHandle c) {
                    all.add(c);
                }
            }
        }
        return all;
    }

    /** The listeners closed: asks every open connection to leave, now and as they open. */
    void leave() {
        leaving = true;
        List<LongLivedHandle> now = open();
        if (!now.isEmpty()) {
            log.info("Asking {} long-lived connection(s) to leave: {}", now.size(), byKind(now));
        }
        for (LongLivedHandle c : now) {
            goAway(c);
        }
        checkClosed();
    }

    /**
     * Completes when every connection has closed after {@link #leave()}, or when the rest were
     * cut; never fails.
     */
    CompletableFuture<Void> awaitClosed() {
        checkClosed();
        return allClosed;
    }

    /** Cuts every connection still open; returns how many. */
    int cutAll(String why) {
        List<LongLivedHandle> rest = open();
        rest.removeIf(c -> !cut(c));
        if (!rest.isEmpty()) {
            cut.addAndGet(rest.size());
            List<InFlightWork> described = new ArrayList<>();
            for (LongLivedHandle c : rest) {
                described.add(new InFlightWork(c.kind(), c.description(), c.age()));
            }
            described.sort(Comparator.comparing(InFlightWork::age).reversed());
            StringBuilder list = new StringBuilder();
            for (InFlightWork w : described.subList(0, Math.min(described.size(), 20))) {
                list.append("\n  ").append(w);
            }
            log.info("Cut {} long-lived connection(s) {}:{}", rest.size(), why, list);
        }
        allClosed.complete(null);
        return rest.size();
    }

    /** How many were asked to leave, at the listeners' close or as they opened after it. */
    int asked() {
        return asked.get();
    }

    /** How many were cut. */
    int cut() {
        return cut.get();
    }

    private void checkClosed() {
        if (leaving && count() == 0) {
            allClosed.complete(null);
        }
    }

    private static String byKind(List<LongLivedHandle> connections) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (LongLivedHandle c : connections) {
            counts.merge(c.kind(), 1, Integer::sum);
        }
        return counts.toString();
    }

    private void goAway(LongLivedHandle c) {
        if (c.ask() && !c.isClosed()) {
            asked.incrementAndGet();
            try {
                c.departure.goAway();
            } catch (RuntimeException | LinkageError e) {
                log.warn("Failed to ask {} '{}' to leave", c.kind(), c.description(), e);
            }
        }
    }

    /** Returns whether this call cut it (it was open and not cut before). */
    private static boolean cut(LongLivedHandle c) {
        if (c.isClosed() || !c.markCut()) {
            return false;
        }
        try {
            c.departure.cut();
        } catch (RuntimeException | LinkageError e) {
            log.warn("Failed to cut {} '{}'", c.kind(), c.description(), e);
        }
        return true;
    }

    /** One kind: the public face, counting through its own tracker. */
    private final class Kind implements LongLived {
        private final DefaultTracker tracker;

        Kind(DefaultTracker tracker) {
            this.tracker = tracker;
        }

        @Override
        public String kind() {
            return tracker.kind();
        }

        @Override
        public Work open(String description, Departure departure) {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(departure, "departure");
            LongLivedHandle c = tracker.beginLongLived(description, departure);
            if (leaving) {
                scheduler.execute(() -> goAway(c));
            }
            return c;
        }

        @Override
        public long count() {
            return tracker.inFlight();
        }

        @Override
        public String toString() {
            return "LongLived[" + kind() + ", " + count() + " open]";
        }
    }
}
