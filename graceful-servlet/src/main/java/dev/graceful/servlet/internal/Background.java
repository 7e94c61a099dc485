package dev.graceful.servlet.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a participant's blocking step (stopping a server joins its threads) on a thread of its own,
 * so that the engine's thread returns at once as the participant SPI asks. The engine calls each
 * participant method at most once, so each step runs at most once: a second {@link #start()}
 * returns the first one's future.
 *
 * <p>A participant makes its {@code Background}s when it is built, not when the engine calls it:
 * that call comes once per process, after the signal, and every class and lambda first used there
 * is loaded and linked on the exit's path (docs/architecture.md, "A rehearsal of the shutdown").
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

    private final String threadName;
    private final Runner runner;
    private final AtomicBoolean started = new AtomicBoolean();

    /**
     * A step, not started yet.
     *
     * @param threadName the thread's name, for thread dumps
     * @param step       the step
     */
    public Background(String threadName, Step step) {
        this.threadName = threadName;
        this.runner = new Runner(step);
    }

    /**
     * Starts the step on a new daemon thread, the first time.
     *
     * @return completes when the step has run, exceptionally when it threw
     */
    public CompletableFuture<Void> start() {
        if (started.compareAndSet(false, true)) {
            Thread t = new Thread(runner, threadName);
            // Daemon: a wedged container stop must never keep the JVM alive; the engine bounds the wait.
            t.setDaemon(true);
            t.start();
        }
        return runner.done;
    }

    private static final class Runner implements Runnable {

        private final Step step;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        Runner(Step step) {
            this.step = step;
        }

        @Override
        public void run() {
            try {
                step.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }
    }
}
