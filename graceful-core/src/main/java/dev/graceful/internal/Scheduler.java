package dev.graceful.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Time and the sequence's thread, behind one seam so that unit tests drive the shutdown sequence
 * with a manual clock instead of sleeping.
 */
public interface Scheduler {

    /** Monotonic time, in nanoseconds from an arbitrary origin. */
    long nanoTime();

    /** Wall-clock time, for reports. */
    Instant now();

    /**
     * Runs an action on the sequence thread after a delay.
     *
     * @param delay  the delay
     * @param action the action
     * @return cancels the action if it has not run
     */
    Runnable schedule(Duration delay, Runnable action);

    /**
     * Runs an action on the sequence thread.
     *
     * @param action the action
     */
    void execute(Runnable action);
}
