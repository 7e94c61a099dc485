package dev.graceful;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened to one shutdown task.
 *
 * @param name     the task's name
 * @param result   how it ended
 * @param duration how long it ran (up to its timeout when it timed out)
 * @param failure  the exception it threw, or {@code null}
 */
public record TaskOutcome(String name, Result result, Duration duration, Throwable failure) {

    /** How a shutdown task ended. */
    public enum Result {
        /** Returned normally. */
        SUCCEEDED,
        /** Threw an exception. */
        FAILED,
        /** Overran its timeout; it was interrupted and abandoned. */
        TIMED_OUT
    }

    /**
     * Validates the components.
     *
     * @param name     the task's name
     * @param result   how it ended
     * @param duration how long it ran
     * @param failure  the exception it threw, or {@code null}
     */
    public TaskOutcome {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(duration, "duration");
    }

    /** The failure, if the task threw. */
    public Optional<Throwable> failureCause() {
        return Optional.ofNullable(failure);
    }

    /** Whether the task succeeded. */
    public boolean succeeded() {
        return result == Result.SUCCEEDED;
    }
}
