package dev.graceful.internal;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.Participant;
import dev.graceful.ShutdownReport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.helpers.NOPLogger;

/**
 * Runs the shutdown sequence's code once, on throwaway parts, as soon as the process is ready, so
 * that the one real shutdown does not run it for the first time.
 *
 * <p>The sequence runs once per process: without a rehearsal its lambdas are linked and the
 * classes its futures chain through are loaded after the signal, one step after another (see
 * docs/architecture.md, Decisions, "A rehearsal of the shutdown"). The stand-in is a second
 * coordinator with one participant that has nothing to close and one task that does nothing, and
 * no trackers, listeners, systemd socket or process to exit; its logger drops every line. It
 * shares with the real coordinator only the scheduler's thread, which it thereby starts before
 * any signal, and the code the JVM linked.
 */
final class Rehearsal {

    /** The stand-in never owns the process; if it ever tried to end it, that would be a bug here. */
    private static final ProcessControl NO_PROCESS = new ProcessControl() {
        @Override
        public void exit(int status) {
            throw new IllegalStateException("a rehearsal does not end the process");
        }

        @Override
        public void halt(int status) {
            throw new IllegalStateException("a rehearsal does not end the process");
        }
    };

    private Rehearsal() {}

    /**
     * One participant, so that the steps that call each participant and join them run too. It
     * answers on a later turn of the scheduler, as a server does, so that the futures joining the
     * answers take the path they take for real (completed ones shortcut it).
     */
    private static final class NothingToClose implements Participant {

        private final Scheduler scheduler;

        NothingToClose(Scheduler scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public String name() {
            return "rehearsal";
        }

        @Override
        public CompletableFuture<Void> stopAccepting() {
            return onALaterTurn();
        }

        @Override
        public CompletableFuture<Void> closeIdle() {
            return onALaterTurn();
        }

        private CompletableFuture<Void> onALaterTurn() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            scheduler.execute(() -> done.complete(null));
            return done;
        }
    }

    /**
     * Queues the rehearsal on {@code scheduler}'s thread: a real shutdown that starts meanwhile
     * queues its steps behind the rehearsal's (its DEBUG line says how long they take).
     *
     * @param log where the outcome is logged, at DEBUG
     * @return the stand-in's report, or its failure
     */
    static CompletableFuture<ShutdownReport> schedule(Scheduler scheduler, Logger log) {
        long queued = scheduler.nanoTime();
        CompletableFuture<ShutdownReport> rehearsed = new CompletableFuture<>();
        scheduler.execute(() -> {
            CompletableFuture<ShutdownReport> run;
            try {
                DefaultGracefulShutdown standIn = new DefaultGracefulShutdown(
                        GracefulConfig.defaults(), scheduler, NO_PROCESS, Map.of(), NOPLogger.NOP_LOGGER, false);
                standIn.register(new NothingToClose(scheduler));
                standIn.addShutdownTask("rehearsal", () -> {});
                standIn.markReady();
                run = standIn.shutdown("rehearsal");
            } catch (RuntimeException | LinkageError e) {
                run = CompletableFuture.failedFuture(e);
            }
            run.whenComplete((report, failure) -> {
                if (failure != null) {
                    log.debug("Rehearsal of the shutdown failed; the real one runs cold", failure);
                    rehearsed.completeExceptionally(failure);
                } else {
                    log.debug(
                            "Rehearsed the shutdown sequence in {}",
                            Durations.format(Duration.ofNanos(scheduler.nanoTime() - queued)));
                    rehearsed.complete(report);
                }
            });
        });
        return rehearsed;
    }
}
