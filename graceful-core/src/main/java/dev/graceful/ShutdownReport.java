package dev.graceful;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one shutdown did: the value of {@link GracefulShutdown#termination()}, and the content of
 * the summary line logged at {@link Phase#STOPPED}.
 *
 * @param reason               why the shutdown started ({@code "SIGTERM"}, or the API caller's reason)
 * @param startedAt            wall-clock time the shutdown started (readiness failed at this instant)
 * @param readinessDelay       how long the readiness delay actually lasted
 * @param drainDuration        from stopping acceptance to the final close or the deadline
 * @param totalDuration        from the start to {@link Phase#STOPPED}
 * @param inFlightAtDrainStart work in flight when new connections were stopped
 * @param drained              work that finished while draining (between stopping acceptance and
 *                             the final close), including requests that arrived on open connections
 * @param abandoned            work still in flight when the drain timed out or a second signal ended the
 *                             shutdown (zero after a clean drain)
 * @param refused              work refused after the final close
 * @param longLivedAsked       long-lived connections ({@link LongLived}) asked to leave, at the listeners'
 *                             close or later as they opened
 * @param longLivedCut         of those, or of those open when the drain timed out or a second signal
 *                             came, the ones cut because they had not closed in time (they do not
 *                             change the exit status)
 * @param drainTimedOut        whether the drain hit its timeout
 * @param stuck                descriptions of abandoned work (bounded; may list fewer than {@code abandoned})
 * @param tasks                the shutdown tasks, in the order they ran
 * @param exitStatus           the exit status this outcome maps to; after a second signal, the one the
 *                             process exits with ({@link ExitStatus#FORCED_BY_SIGINT} or
 *                             {@link ExitStatus#FORCED_BY_SIGTERM})
 */
public record ShutdownReport(
        String reason,
        Instant startedAt,
        Duration readinessDelay,
        Duration drainDuration,
        Duration totalDuration,
        long inFlightAtDrainStart,
        long drained,
        long abandoned,
        long refused,
        long longLivedAsked,
        long longLivedCut,
        boolean drainTimedOut,
        List<InFlightWork> stuck,
        List<TaskOutcome> tasks,
        ExitStatus exitStatus) {

    /**
     * Validates and copies the components.
     *
     * @param reason               why the shutdown started
     * @param startedAt            when it started
     * @param readinessDelay       the readiness delay as it happened
     * @param drainDuration        how long draining took
     * @param totalDuration        how long the whole sequence took
     * @param inFlightAtDrainStart work in flight at the start of the drain
     * @param drained              work that finished while draining
     * @param abandoned            work abandoned at the deadline
     * @param refused              work refused after the final close
     * @param longLivedAsked       long-lived connections asked to leave
     * @param longLivedCut         long-lived connections cut
     * @param drainTimedOut        whether the drain timed out
     * @param stuck                abandoned work, described
     * @param tasks                task outcomes
     * @param exitStatus           the resulting exit status
     */
    public ShutdownReport {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(readinessDelay, "readinessDelay");
        Objects.requireNonNull(drainDuration, "drainDuration");
        Objects.requireNonNull(totalDuration, "totalDuration");
        stuck = List.copyOf(stuck);
        tasks = List.copyOf(tasks);
        Objects.requireNonNull(exitStatus, "exitStatus");
    }

    /**
     * Whether nothing was lost: the drain finished in time and every task succeeded.
     *
     * @return {@code true} when {@link #exitStatus()} is {@link ExitStatus#CLEAN}
     */
    public boolean isClean() {
        return exitStatus == ExitStatus.CLEAN;
    }
}
