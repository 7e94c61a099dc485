package dev.graceful;

/**
 * An action run on SIGHUP without exiting (what makes {@code systemctl reload} work): re-read
 * configuration, rotate credentials, reopen log files. Register with
 * {@link GracefulShutdown#addReloadCallback(String, ReloadCallback)}.
 *
 * <p>Callbacks run one after another on a dedicated thread. A failure is logged and the next
 * callback still runs; the process keeps serving either way.
 */
@FunctionalInterface
public interface ReloadCallback {

    /**
     * Performs the reload.
     *
     * @throws Exception on failure; logged, never fatal
     */
    void reload() throws Exception;
}
