package dev.graceful.servlet.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Runs a participant's blocking step (stopping a server joins its threads) on a thread of its own,
 * so that the engine's thread returns at once as the participant SPI asks.
 */
public final class Background {

    /** A step that may block and throw. */
    @FunctionalInterface
    public interface Step {
        /**
         * Runs the step.
         *
         * @throws Exception on failure
         */
        void run() throws Exception;
    }

    private Background() {}

    /**
     * Starts {@code step} on a new daemon thread.
     *
     * @param threadName the thread's name, for thread dumps
     * @param step       the step
     * @return completes when the step has run, exceptionally when it threw
     */
    public static CompletableFuture<Void> run(String threadName, Step step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        step.run();
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                },
                threadName);
        // Daemon: a wedged container stop must never keep the JVM alive; the engine bounds the wait.
        t.setDaemon(true);
        t.start();
        return done;
    }
}
