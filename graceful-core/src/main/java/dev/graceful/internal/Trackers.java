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
        return get(kind, false);
    }

    /**
     * The counter of a long-lived kind: a tracker with a gate of its own that never closes, so its
     * connections are counted and described but neither refused nor waited for by the drain.
     */
    DefaultTracker longLived(String kind) {
        return get(kind, true);
    }

    private DefaultTracker get(String kind, boolean longLived) {
        Objects.requireNonNull(kind, "kind");
        DefaultTracker t = byKind.get(kind);
        if (t != null) {
            return checkSameSort(t, longLived);
        }
        if (!KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("tracker kind must be 1-64 characters of a-z, 0-9, '-', '_' or '.', "
                    + "starting with a letter or digit; was '" + kind + "'");
        }
        synchronized (lifecycle.lock()) {
            t = byKind.get(kind);
            if (t != null) {
                return checkSameSort(t, longLived);
            }
            Gate own = longLived ? new Gate() : gate;
            t = new DefaultTracker(kind, own, clock);
            own.add(t);
            byKind.put(kind, t);
            inOrder.add(t);
        }
        listeners.trackerCreated(t);
        return t;
    }

    private DefaultTracker checkSameSort(DefaultTracker t, boolean longLived) {
        if ((t.gate() != gate) != longLived) {
            throw new IllegalArgumentException("kind '" + t.kind() + "' is already "
                    + (longLived ? "a tracker's kind" : "a kind of long-lived connection") + "; use another kind");
        }
        return t;
    }

    /** In creation order. */
    Collection<Tracker> all() {
        return Collections.unmodifiableList(inOrder);
    }

    /**
     * The work in flight that was begun with a description, for the stuck-work report; long-lived
     * connections are reported when they are cut, not here.
     */
    List<InFlightWork> describedWork() {
        List<InFlightWork> all = new ArrayList<>();
        for (DefaultTracker t : byKind.values()) {
            if (t.gate() != gate) {
                continue;
            }
            for (WorkHandle w : t.described()) {
                all.add(w.snapshot());
            }
        }
        return all;
    }
}
