package dev.graceful.internal;

import dev.graceful.InFlightWork;
import dev.graceful.Tracker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/** The trackers by kind, created on first use, all counting through one {@link Gate}. */
final class Trackers {

    // Kinds become metric tags and log words: keep them short and plain.
    private static final Pattern KIND = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

    private final Lifecycle lifecycle;
    private final Gate gate;
    private final Scheduler clock;
    private final Listeners listeners;
    private final Map<String, DefaultTracker> byKind = new ConcurrentHashMap<>();
    private final List<Tracker> inOrder = new CopyOnWriteArrayList<>();

    Trackers(Lifecycle lifecycle, Gate gate, Scheduler clock, Listeners listeners) {
        this.lifecycle = lifecycle;
        this.gate = gate;
        this.clock = clock;
        this.listeners = listeners;
    }

    Tracker get(String kind) {
        Objects.requireNonNull(kind, "kind");
        DefaultTracker t = byKind.get(kind);
        if (t != null) {
            return t;
        }
        if (!KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("tracker kind must be 1-64 characters of a-z, 0-9, '-', '_' or '.', "
                    + "starting with a letter or digit; was '" + kind + "'");
        }
        synchronized (lifecycle.lock()) {
            t = byKind.get(kind);
            if (t != null) {
                return t;
            }
            t = new DefaultTracker(kind, gate, clock);
            gate.add(t);
            byKind.put(kind, t);
            inOrder.add(t);
        }
        listeners.trackerCreated(t);
        return t;
    }

    /** In creation order. */
    Collection<Tracker> all() {
        return Collections.unmodifiableList(inOrder);
    }

    /** The work in flight that was begun with a description, for the stuck-work report. */
    List<InFlightWork> describedWork() {
        List<InFlightWork> all = new ArrayList<>();
        for (DefaultTracker t : byKind.values()) {
            for (WorkHandle w : t.described()) {
                all.add(w.snapshot());
            }
        }
        return all;
    }
}
