package dev.graceful.internal;

import dev.graceful.Phase;
import dev.graceful.State;
import dev.graceful.Transition;
import org.slf4j.Logger;

/**
 * The coordinator's {@link Phase}, the reason of its shutdown, and the one lock that orders them
 * against registration and against taking over the process.
 *
 * <p>The phase is written only here, always under {@link #lock()}, and every change is announced
 * to the listeners under that lock: they hear of transitions in order, and a registration either
 * completes before the shutdown starts or sees that it started. Reads need no lock (the fields are
 * volatile), so readiness probes never wait.
 */
final class Lifecycle {

    private final Object lock = new Object();
    private final Scheduler clock;
    private final Listeners listeners;
    private final Logger log;
    private volatile Phase phase = Phase.STARTING;
    private volatile String reason = "";

    Lifecycle(Scheduler clock, Listeners listeners, Logger log) {
        this.clock = clock;
        this.listeners = listeners;
        this.log = log;
    }

    Object lock() {
        return lock;
    }

    Phase phase() {
        return phase;
    }

    /** Why the shutdown started; empty before it did. */
    String reason() {
        return reason;
    }

    boolean shutdownStarted() {
        State s = phase.state();
        return s == State.DRAINING || s == State.STOPPED;
    }

    boolean markReady() {
        synchronized (lock) {
            if (phase == Phase.STARTING) {
                transitionLocked(Phase.READY);
                log.info("Ready: taking traffic");
                return true;
            }
            if (phase == Phase.READY) {
                return true;
            }
        }
        log.debug("markReady() ignored: {} already started ({})", "a shutdown", phase);
        return false;
    }

    /**
     * Moves to {@link Phase#READINESS_DELAY} unless a shutdown already started, the one decision
     * that makes the sequence run exactly once.
     *
     * @param why         the reason
     * @param recordStart runs under the lock after readiness fails and before the listeners hear of it
     * @return whether this call started the shutdown (else it joins the running one)
     */
    boolean startShutdown(String why, Runnable recordStart) {
        synchronized (lock) {
            Phase from = phase;
            if (from.state() == State.DRAINING || from.state() == State.STOPPED) {
                log.debug("Shutdown requested ({}) while already shutting down ({}): joining it", why, reason);
                return false;
            }
            // Readiness fails with this write; everything else (cold code on a first and only
            // shutdown: records, streams, logging) comes after it.
            phase = Phase.READINESS_DELAY;
            reason = why;
            recordStart.run();
            announce(from, Phase.READINESS_DELAY);
            return true;
        }
    }

    /** Throws when a shutdown has started; the caller holds {@link #lock()}. */
    void requireNotStarted(String what) {
        if (phase.state() != State.STARTING && phase.state() != State.READY) {
            throw new IllegalStateException(
                    "cannot " + what + ": the shutdown started (" + reason + ") and is in phase " + phase);
        }
    }

    /** Moves on, unless the shutdown already ended: a second signal can stop it mid-step, and STOPPED is final. */
    void transition(Phase to) {
        synchronized (lock) {
            if (phase != Phase.STOPPED) {
                transitionLocked(to);
            }
        }
    }

    private void transitionLocked(Phase to) {
        Phase from = phase;
        phase = to;
        announce(from, to);
    }

    private void announce(Phase from, Phase to) {
        Transition t = new Transition(from, to, clock.now(), reason);
        log.debug("Phase {} -> {}", from, to);
        listeners.transition(t);
    }
}
