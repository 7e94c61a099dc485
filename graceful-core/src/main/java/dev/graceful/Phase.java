package dev.graceful;

/**
 * The fine-grained position of a {@link GracefulShutdown} in its lifecycle: {@link State} plus
 * the steps of a drain. Listeners are told of every phase change, in this order (a clean drain
 * skips {@link #FORCE_CLOSING}; a drain that times out skips {@link #CLOSING_IDLE}).
 */
public enum Phase {
    /** Booting; {@link GracefulShutdown#markReady()} has not been called yet. */
    STARTING(State.STARTING),
    /** Serving traffic. */
    READY(State.READY),
    /**
     * Step 2 of a shutdown: readiness already fails, but everything is still served normally so
     * that load balancers notice and stop routing here.
     */
    READINESS_DELAY(State.DRAINING),
    /**
     * Step 3/4: participants have been told to stop accepting new connections; work already in
     * flight, and requests on connections that are already open, are still served while the
     * engine waits for the in-flight count to reach zero.
     */
    AWAITING_IN_FLIGHT(State.DRAINING),
    /**
     * The drain finished in time; new work is refused from now on, and participants close the
     * connections that are now idle.
     */
    CLOSING_IDLE(State.DRAINING),
    /** Step 5: the drain timeout passed; stuck work was reported and participants force-close. */
    FORCE_CLOSING(State.DRAINING),
    /** Step 6: the registered shutdown tasks run, in declared order. */
    SHUTDOWN_TASKS(State.DRAINING),
    /** Step 7: done; a summary has been logged. */
    STOPPED(State.STOPPED);

    private final State state;

    Phase(State state) {
        this.state = state;
    }

    /** The coarse state this phase belongs to. */
    public State state() {
        return state;
    }
}
