package dev.graceful;

/**
 * Observes a {@link GracefulShutdown}. Every method has an empty default, so implement only what
 * you need. Listeners are called synchronously on the thread that caused the event and must not
 * block; an exception thrown by a listener is logged and never disturbs the shutdown.
 */
public interface GracefulListener {

    /**
     * Called after each phase change, in order.
     *
     * @param transition what changed
     */
    default void onTransition(Transition transition) {}

    /**
     * Called when a tracker for a new kind of work is created (see
     * {@link GracefulShutdown#tracker(String)}), so that per-kind metrics can follow.
     *
     * @param tracker the new tracker
     */
    default void onTrackerCreated(Tracker tracker) {}

    /**
     * Called once, when the sequence reaches {@link Phase#STOPPED}, before the process exits.
     *
     * @param report what happened
     */
    default void onShutdownComplete(ShutdownReport report) {}
}
