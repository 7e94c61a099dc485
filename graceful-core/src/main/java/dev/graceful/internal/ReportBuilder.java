package dev.graceful.internal;

import dev.graceful.ExitStatus;
import dev.graceful.InFlightWork;
import dev.graceful.ShutdownReport;
import dev.graceful.TaskOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What one shutdown measured, filled in step by step as the sequence runs and turned into its
 * {@link ShutdownReport} once, at the end. The steps run on the sequence's thread, but a second
 * signal ends the shutdown from another one ({@link #endedEarly}), hence the monitor.
 *
 * <p>Drain counts are deltas of the {@link Gate}'s monotonic counters from the drain's start, so
 * work that finished before the drain is not counted as drained.
 */
final class ReportBuilder {

    private final Scheduler clock;
    private final Gate gate;

    private String reason = "";
    private long startNanos;
    private Instant startedAt;
    private Duration readinessDelay = Duration.ZERO;
    private long drainStartNanos;
    private long drainEndNanos;
    private long inFlightAtDrainStart;
    private long exitedAtDrainStart;
    private long refusedAtDrainStart;
    private long drained;
    private long abandoned;
    private long longLivedAsked;
    private long longLivedCut;
    private boolean delayEnded;
    private boolean drainStarted;
    private boolean drainEnded;
    private boolean drainTimedOut;
    private ExitStatus forced;
    private List<InFlightWork> stuck = List.of();
    private List<TaskOutcome> tasks = List.of();

    ReportBuilder(Scheduler clock, Gate gate) {
        this.clock = clock;
        this.gate = gate;
    }

    synchronized void started(String why) {
        startNanos = clock.nanoTime();
        reason = why;
        startedAt = clock.now();
    }

    synchronized Duration elapsed() {
        return since(startNanos, clock.nanoTime());
    }

    /** The readiness delay is over. */
    synchronized void readinessDelayEnded() {
        readinessDelay = since(startNanos, clock.nanoTime());
        drainStartNanos = clock.nanoTime();
        delayEnded = true;
    }

    /** Reads the counts the drain is measured from; zero detection must already be armed. */
    synchronized long drainStarted() {
        exitedAtDrainStart = gate.exited();
        refusedAtDrainStart = gate.refused();
        inFlightAtDrainStart = gate.inFlight();
        drainStarted = true;
        return inFlightAtDrainStart;
    }

    /** The in-flight count reached zero in time. */
    synchronized void drainedInTime() {
        drainEnded = true;
        drainEndNanos = clock.nanoTime();
        drained = drainedSoFar();
    }

    /** The drain deadline passed. */
    synchronized void drainTimedOut() {
        drainEnded = true;
        drainEndNanos = clock.nanoTime();
        drainTimedOut = true;
    }

    /**
     * Counts what a timed-out drain leaves behind, after the gate closed.
     *
     * @return the number of units abandoned
     */
    synchronized long countAbandoned() {
        abandoned = gate.inFlight();
        drained = drainedSoFar();
        return abandoned;
    }

    /**
     * A second signal ends the shutdown now, whatever step it is in: what is still in flight is
     * abandoned, and the report's status is the one the process exits with.
     */
    synchronized void endedEarly(ExitStatus status) {
        forced = status;
        long now = clock.nanoTime();
        if (!delayEnded) {
            readinessDelay = since(startNanos, now);
        }
        if (drainStarted && !drainEnded) {
            drainEnded = true;
            drainEndNanos = now;
            drained = drainedSoFar();
        }
        // After a timed-out drain, what was abandoned then is still abandoned.
        abandoned = Math.max(abandoned, gate.inFlight());
    }

    synchronized void stuck(List<InFlightWork> described) {
        stuck = described;
    }

    synchronized Duration drainDuration() {
        return since(drainStartNanos, drainEndNanos);
    }

    synchronized long drained() {
        return drained;
    }

    /** What happened to the long-lived connections, so far. */
    synchronized void longLived(long asked, long cut) {
        longLivedAsked = asked;
        longLivedCut = cut;
    }

    synchronized void tasksRan(List<TaskOutcome> outcomes) {
        tasks = outcomes;
    }

    synchronized ShutdownReport build() {
        long failedTasks = tasks.stream().filter(t -> !t.succeeded()).count();
        ExitStatus status = forced != null
                ? forced
                : drainTimedOut
                        ? ExitStatus.DRAIN_TIMED_OUT
                        : failedTasks > 0 ? ExitStatus.TASK_FAILED : ExitStatus.CLEAN;
        return new ShutdownReport(
                reason,
                startedAt,
                readinessDelay,
                drainDuration(),
                elapsed(),
                inFlightAtDrainStart,
                drained,
                abandoned,
                gate.refused() - refusedAtDrainStart,
                longLivedAsked,
                longLivedCut,
                drainTimedOut,
                stuck,
                tasks,
                status);
    }

    private long drainedSoFar() {
        return gate.exited() - exitedAtDrainStart;
    }

    private static Duration since(long startNanos, long endNanos) {
        return Duration.ofNanos(Math.max(0, endNanos - startNanos));
    }
}
