package dev.graceful;

/**
 * Thrown by {@link Tracker#begin(String)} when work arrives after the drain decided to finish.
 * The work was not started and nothing was counted: retry it elsewhere (for a message consumer,
 * leave the message unacknowledged).
 */
public final class RejectedWorkException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was refused and why
     */
    public RejectedWorkException(String message) {
        super(message);
    }
}
