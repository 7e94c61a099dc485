package dev.graceful;

/**
 * An action run after the drain, in declared order, each bounded by its own timeout: close a
 * connection pool, flush a producer, stop an executor. Register with
 * {@link GracefulShutdown#addShutdownTask(String, java.time.Duration, ShutdownTask)}.
 *
 * <p>A task runs on its own thread. When it throws, the failure is logged and reported, and the
 * next task runs. When it overruns its timeout it is interrupted, reported as timed out, and
 * abandoned; the next task runs.
 */
@FunctionalInterface
public interface ShutdownTask {

    /**
     * Performs the action.
     *
     * @throws Exception on failure; reported, never fatal to the sequence
     */
    void run() throws Exception;
}
