package dev.graceful.internal;

import dev.graceful.Departure;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.LongLived;
import dev.graceful.Work;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * <p>Opening races leaving the way admission races the gate: {@link #leave()} sets the flag, then
 * walks the open set; {@link Kind#open} adds to the set, then reads the flag. At least one of the two
 * sees the other, and a connection's departure runs once whoever calls it.
 */
final class LongLivedConnections {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final Trackers trackers;
    private final Scheduler scheduler;
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
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
        return kinds.computeIfAbsent(kind, key -> new Kind(counter));
    }

    int count() {
        return open.size();
    }

    /** The listeners closed: asks every open connection to leave, now and as they open. */
    void leave() {
        leaving = true;
        List<Connection> now = new ArrayList<>(open);
        if (!now.isEmpty()) {
            log.info("Asking {} long-lived connection(s) to leave: {}", now.size(), byKind(now));
        }
        for (Connection c : now) {
            c.goAway();
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
        List<Connection> rest = new ArrayList<>(open);
        rest.removeIf(c -> !c.cut());
        if (!rest.isEmpty()) {
            cut.addAndGet(rest.size());
            List<InFlightWork> described = new ArrayList<>();
            for (Connection c : rest) {
                described.add(new InFlightWork(c.work.kind(), c.work.description(), c.work.age()));
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
        if (leaving && open.isEmpty()) {
            allClosed.complete(null);
        }
    }

    private static String byKind(List<Connection> connections) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Connection c : connections) {
            counts.merge(c.work.kind(), 1, Integer::sum);
        }
        return counts.toString();
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
            Connection c = new Connection(tracker.begin(description), departure);
            open.add(c);
            if (leaving) {
                scheduler.execute(c::goAway);
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

    /** One connection: its count, its departure, and which of the two steps it has had. */
    private final class Connection implements Work {
        private static final int OPEN = 0;
        private static final int ASKED = 1;
        private static final int CUT = 2;

        private final Work work;
        private final Departure departure;
        private final AtomicInteger step = new AtomicInteger(OPEN);

        Connection(Work work, Departure departure) {
            this.work = work;
            this.departure = departure;
        }

        void goAway() {
            if (step.compareAndSet(OPEN, ASKED) && !work.isClosed()) {
                asked.incrementAndGet();
                try {
                    departure.goAway();
                } catch (RuntimeException | LinkageError e) {
                    log.warn("Failed to ask {} '{}' to leave", work.kind(), work.description(), e);
                }
            }
        }

        /** Returns whether this call cut it (it was open and not cut before). */
        boolean cut() {
            if (work.isClosed() || step.getAndSet(CUT) == CUT) {
                return false;
            }
            try {
                departure.cut();
            } catch (RuntimeException | LinkageError e) {
                log.warn("Failed to cut {} '{}'", work.kind(), work.description(), e);
            }
            return true;
        }

        @Override
        public String kind() {
            return work.kind();
        }

        @Override
        public String description() {
            return work.description();
        }

        @Override
        public Duration age() {
            return work.age();
        }

        @Override
        public boolean isClosed() {
            return work.isClosed();
        }

        @Override
        public void close() {
            if (!work.isClosed()) {
                work.close();
                open.remove(this);
                checkClosed();
            }
        }
    }
}
