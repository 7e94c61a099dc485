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
 * {@link ShutdownReport} once, at the end. {@link #started} runs under the lifecycle's lock and
 * everything after it on the sequence's thread, so the fields need no synchronisation.
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
    private boolean drainTimedOut;
    private List<InFlightWork> stuck = List.of();
    private List<TaskOutcome> tasks = List.of();

    ReportBuilder(Scheduler clock, Gate gate) {
        this.clock = clock;
        this.gate = gate;
    }

    void started(String why) {
        startNanos = clock.nanoTime();
        reason = why;
        startedAt = clock.now();
    }

    Duration elapsed() {
        return since(startNanos, clock.nanoTime());
    }

    /** The readiness delay is over. */
    void readinessDelayEnded() {
        readinessDelay = since(startNanos, clock.nanoTime());
        drainStartNanos = clock.nanoTime();
    }

    /** Reads the counts the drain is measured from; zero detection must already be armed. */
    long drainStarted() {
        exitedAtDrainStart = gate.exited();
        refusedAtDrainStart = gate.refused();
        inFlightAtDrainStart = gate.inFlight();
        return inFlightAtDrainStart;
    }

    /** The in-flight count reached zero in time. */
    void drainedInTime() {
        drainEndNanos = clock.nanoTime();
        drained = drainedSoFar();
    }

    /** The drain deadline passed. */
    void drainTimedOut() {
        drainEndNanos = clock.nanoTime();
        drainTimedOut = true;
    }

    /**
     * Counts what a timed-out drain leaves behind, after the gate closed.
     *
     * @return the number of units abandoned
     */
    long countAbandoned() {
        abandoned = gate.inFlight();
        drained = drainedSoFar();
        return abandoned;
    }

    void stuck(List<InFlightWork> described) {
        stuck = described;
    }

    Duration drainDuration() {
        return since(drainStartNanos, drainEndNanos);
    }

    long drained() {
        return drained;
    }

    void tasksRan(List<TaskOutcome> outcomes) {
        tasks = outcomes;
    }

    ShutdownReport build() {
        long failedTasks = tasks.stream().filter(t -> !t.succeeded()).count();
        ExitStatus status = drainTimedOut
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
