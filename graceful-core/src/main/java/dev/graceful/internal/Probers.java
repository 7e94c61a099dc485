package dev.graceful.internal;

import java.util.Objects;

/**
 * The health probers seen answering a readiness endpoint, for the probe-aware readiness delay: a
 * bounded table keyed by remote address and {@code User-Agent} (not port: HAProxy opens a
 * connection per check). Once a prober is in the table, recording one of its answers allocates
 * nothing; a full table evicts a prober not seen within the window, and otherwise turns the
 * newcomer away and remembers that it did, so a scan from many addresses cannot grow memory and
 * cannot end the delay early either. Probes are rare (a few a second), so one monitor guards it.
 */
final class Probers {

    static final int CAPACITY = 64;

    private final int required;
    private final long windowNanos;
    private final String[] addresses = new String[CAPACITY];
    private final String[] agents = new String[CAPACITY];
    private final long[] lastSeen = new long[CAPACITY];
    private final int[] failing = new int[CAPACITY];
    private final boolean[] watched = new boolean[CAPACITY];
    private int size;
    private long turnedAwayAt;
    private boolean everTurnedAway;
    private boolean began;
    private boolean overflowInWindow;
    private int watchedCount;
    private int satisfied;

    Probers(int required, long windowNanos) {
        this.required = required;
        this.windowNanos = windowNanos;
    }

    /**
     * Records one readiness answer.
     *
     * @return true once, for the answer that makes every watched prober satisfied
     */
    synchronized boolean answered(String address, String agent, boolean ready, long now) {
        int i = indexOf(address, agent);
        if (i < 0) {
            if (began) {
                return false; // not seen before the shutdown: it does not decide anything
            }
            i = admit(address, agent, now);
            if (i < 0) {
                return false;
            }
        }
        lastSeen[i] = now;
        if (!began || ready || !watched[i]) {
            return false;
        }
        failing[i]++;
        return failing[i] == required && ++satisfied == watchedCount && !overflowInWindow;
    }

    private int indexOf(String address, String agent) {
        for (int i = 0; i < size; i++) {
            if (addresses[i].equals(address) && Objects.equals(agents[i], agent)) {
                return i;
            }
        }
        return -1;
    }

    private int admit(String address, String agent, long now) {
        int slot = size;
        if (size == CAPACITY) {
            slot = 0;
            for (int i = 1; i < size; i++) {
                if (lastSeen[i] - lastSeen[slot] < 0) {
                    slot = i;
                }
            }
            if (now - lastSeen[slot] <= windowNanos) {
                turnedAwayAt = now;
                everTurnedAway = true;
                return -1;
            }
        } else {
            size++;
        }
        addresses[slot] = address;
        agents[slot] = agent;
        failing[slot] = 0;
        return slot;
    }

    /** Fixes the probers that decide: those seen in the window before now. */
    synchronized void shutdownBegan(long now) {
        began = true;
        overflowInWindow = everTurnedAway && now - turnedAwayAt <= windowNanos;
        for (int i = 0; i < size; i++) {
            watched[i] = now - lastSeen[i] <= windowNanos;
            if (watched[i]) {
                watchedCount++;
            }
        }
    }

    /** Why the delay ran to its maximum, or how it ended early: for the log. */
    synchronized String describe() {
        if (overflowInWindow) {
            return "more than " + CAPACITY + " probers were seen, so not all of them could be followed";
        }
        if (watchedCount == 0) {
            return "no health prober was seen in the 10s before the shutdown";
        }
        if (satisfied == watchedCount) {
            return watchedCount + " prober(s) saw " + required + " failing answer(s) each";
        }
        StringBuilder s = new StringBuilder()
                .append(watchedCount - satisfied)
                .append(" of ")
                .append(watchedCount)
                .append(" prober(s) had not seen ")
                .append(required)
                .append(" failing answer(s):");
        for (int i = 0; i < size; i++) {
            if (watched[i] && failing[i] < required) {
                s.append(' ')
                        .append(addresses[i])
                        .append(" (")
                        .append(agents[i] == null ? "no User-Agent" : "User-Agent '" + agents[i] + "'")
                        .append(") saw ")
                        .append(failing[i])
                        .append(';');
            }
        }
        s.setLength(s.length() - 1);
        return s.toString();
    }
}
