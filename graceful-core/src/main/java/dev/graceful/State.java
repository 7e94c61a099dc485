package dev.graceful;

/**
 * The coarse lifecycle of a service as graceful sees it.
 *
 * <pre>
 * STARTING ──markReady()──▶ READY ──shutdown──▶ DRAINING ──▶ STOPPED
 *     └────────────────shutdown────────────────▶ ┘
 * </pre>
 *
 * <p>Readiness is true only in {@link #READY} (and only while every readiness check passes);
 * liveness is true in every state but {@link #STOPPED}, so an orchestrator never restarts a
 * process that is draining on purpose. {@link Phase} refines {@link #DRAINING} into its steps.
 */
public enum State {
    /** The service is booting; not ready for traffic yet. */
    STARTING,
    /** The service takes traffic. */
    READY,
    /** A shutdown has begun: readiness fails, existing work is being finished. */
    DRAINING,
    /** The shutdown sequence has ended; the process is about to exit. */
    STOPPED;

    /**
     * Whether a liveness probe should pass in this state.
     *
     * @return {@code true} for every state but {@link #STOPPED}
     */
    public boolean isLive() {
        return this != STOPPED;
    }
}
