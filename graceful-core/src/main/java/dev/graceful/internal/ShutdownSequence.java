package dev.graceful.internal;

import dev.graceful.Durations;
import dev.graceful.ExitStatus;
import dev.graceful.GracefulConfig;
import dev.graceful.InFlightWork;
import dev.graceful.Participant;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.TaskOutcome;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The shutdown sequence: READINESS_DELAY, AWAITING_IN_FLIGHT, then CLOSING_IDLE or FORCE_CLOSING,
 * SHUTDOWN_TASKS, STOPPED. {@link #begin} runs on the caller's thread; every later step runs on the
 * {@link Scheduler}'s single thread, chained by futures, so the sequence never sleeps and never
 * polls. A second signal ends it early from another thread ({@link #endEarly}); the steps still
 * queued then find it ended and do nothing.
 */
final class ShutdownSequence {

    private final GracefulConfig config;
    private final Scheduler scheduler;
    private final Lifecycle lifecycle;
    private final Gate gate;
    private final Trackers trackers;
    private final Participants participants;
    private final LongLivedConnections longLived;
    private final ShutdownTasks tasks;
    private final Listeners listeners;
    private final ReportBuilder report;
    private final ReadinessDelay readinessDelay;
    private final Logger log;
    private final CompletableFuture<ShutdownReport> termination = new CompletableFuture<>();
    private final AtomicBoolean ended = new AtomicBoolean();

    // Written under the lifecycle's lock when the shutdown starts, read afterwards.
    private List<ShutdownTasks.Task> taskSnapshot = List.of();
    private Duration worstCase = Duration.ZERO;

    ShutdownSequence(
            GracefulConfig config,
            Scheduler scheduler,
            Lifecycle lifecycle,
            Gate gate,
            Trackers trackers,
            Participants participants,
            LongLivedConnections longLived,
            ShutdownTasks tasks,
            Listeners listeners,
            Logger log) {
        this.config = config;
        this.scheduler = scheduler;
        this.lifecycle = lifecycle;
        this.gate = gate;
        this.trackers = trackers;
        this.participants = participants;
        this.longLived = longLived;
        this.tasks = tasks;
        this.listeners = listeners;
        this.log = log;
        this.report = new ReportBuilder(scheduler, gate);
        this.readinessDelay = new ReadinessDelay(config, scheduler, this::stopAccepting);
    }

    /** A readiness endpoint answered a prober (see {@link ReadinessDelay}). */
    void readinessAnswered(String address, String userAgent, boolean ready) {
        readinessDelay.answered(address, userAgent, ready);
    }

    CompletableFuture<ShutdownReport> termination() {
        return termination;
    }

    /**
     * Starts the shutdown unless one already started; readiness fails before this returns.
     *
     * @return whether this call started it; {@link #run()} must follow
     */
    boolean begin(String why) {
        boolean started = lifecycle.startShutdown(why, () -> {
            report.started(why);
            readinessDelay.began();
            taskSnapshot = tasks.snapshot();
            worstCase = config.fixedPhases().plus(ShutdownTasks.totalTimeout(taskSnapshot));
        });
        if (started) {
            log.info(
                    "Shutdown started ({}): readiness now failing; serving {} more{}, then draining {} in-flight "
                            + "unit(s) for up to {} (worst case {}{})",
                    why,
                    Durations.format(config.readinessDelay()),
                    config.readinessProbes() > 0
                            ? " at most (less once every health prober has seen " + config.readinessProbes()
                                    + " failing answer(s))"
                            : "",
                    gate.inFlight(),
                    Durations.format(config.drainTimeout()),
                    Durations.format(worstCase),
                    config.budget()
                            .map(b -> " of a " + Durations.format(b) + " budget")
                            .orElse(""));
        }
        return started;
    }

    /** The longest the sequence can take: every phase and task running to its timeout. */
    Duration worstCase() {
        return worstCase;
    }

    /** What is left of {@link #worstCase()}, for a caller that must wait for the end. */
    Duration remaining() {
        return worstCase.minus(report.elapsed());
    }

    /** Runs the rest of the sequence on the scheduler, after the readiness delay. */
    void run() {
        readinessDelay.start();
    }

    private void stopAccepting() {
        if (ended.get()) {
            return;
        }
        report.readinessDelayEnded();
        // Arm zero detection before anything can be counted out by the participants' actions.
        CompletableFuture<Void> firstZero = gate.awaitZero(Gate.DRAINING);
        long inFlight = report.drainStarted();
        lifecycle.transition(Phase.AWAITING_IN_FLIGHT);
        log.info(
                "Stopped accepting new connections ({} participant(s)); waiting for {} in-flight unit(s), up to {}",
                participants.size(),
                inFlight,
                Durations.format(config.drainTimeout()));
        List<CompletableFuture<Void>> steps = participants.callEach("stopAccepting", Participant::stopAccepting);
        steps.add(firstZero);
        longLived.leave();
        scheduler.schedule(
                config.longLivedTimeout(),
                () -> longLived.cutAll("that had not closed " + Durations.format(config.longLivedTimeout())
                        + " after they were asked to leave (longLivedTimeout)"));
        CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                // The final close: refuse new work, then wait once more for work admitted between
                // the first zero and the close (see Gate).
                .thenCompose(v -> gate.awaitZero(Gate.CLOSED))
                .whenComplete((v, e) -> outcome.complete(Boolean.TRUE));
        Runnable cancelTimeout = scheduler.schedule(config.drainTimeout(), () -> outcome.complete(Boolean.FALSE));
        outcome.thenAccept(clean -> scheduler.execute(() -> {
            cancelTimeout.run();
            if (clean) {
                drainedInTime();
            } else {
                drainTimedOut();
            }
        }));
    }

    private void drainedInTime() {
        if (ended.get()) {
            return;
        }
        report.drainedInTime();
        lifecycle.transition(Phase.CLOSING_IDLE);
        log.info(
                "Drained in {}: {} unit(s) finished while draining; closing idle connections",
                Durations.format(report.drainDuration()),
                report.drained());
        int open = longLived.count();
        if (open > 0) {
            log.info(
                    "Waiting for {} long-lived connection(s) to close, at most {} after they were asked to leave",
                    open,
                    Durations.format(config.longLivedTimeout()));
        }
        longLived
                .awaitClosed()
                .thenRun(() -> scheduler.execute(() -> participants
                        .awaitEach("closeIdle", Participant::closeIdle)
                        .thenRun(() -> scheduler.execute(this::runShutdownTasks))));
    }

    private void drainTimedOut() {
        if (ended.get()) {
            return;
        }
        report.drainTimedOut();
        gate.close();
        long abandoned = report.countAbandoned();
        List<InFlightWork> stuck = describeInFlight(config.maxReportedInFlight());
        report.stuck(stuck);
        lifecycle.transition(Phase.FORCE_CLOSING);
        StringBuilder list = new StringBuilder();
        for (InFlightWork w : stuck) {
            list.append("\n  ").append(w);
        }
        if (abandoned > stuck.size()) {
            list.append("\n  ... ").append(abandoned - stuck.size()).append(" more without a description");
        }
        log.warn(
                "Drain timed out after {} with {} unit(s) still in flight; abandoning them and force-closing:{}",
                Durations.format(config.drainTimeout()),
                abandoned,
                list);
        longLived.cutAll("at the drain deadline");
        participants
                .awaitEach("forceClose", Participant::forceClose)
                .thenRun(() -> scheduler.execute(this::runShutdownTasks));
    }

    /** The oldest work first: that is what is most likely stuck. */
    private List<InFlightWork> describeInFlight(int max) {
        List<InFlightWork> all = trackers.describedWork();
        all.addAll(participants.describedWork());
        all.sort(Comparator.comparing(InFlightWork::age).reversed());
        return all.size() > max ? List.copyOf(all.subList(0, max)) : List.copyOf(all);
    }

    private void runShutdownTasks() {
        if (ended.get()) {
            return;
        }
        lifecycle.transition(Phase.SHUTDOWN_TASKS);
        tasks.runInOrder(taskSnapshot).thenAccept(outcomes -> {
            report.tasksRan(outcomes);
            finish();
        });
    }

    private void finish() {
        if (ended.compareAndSet(false, true)) {
            end("Shutdown complete");
        }
    }

    /**
     * Ends the shutdown now, in whatever step it is (a second signal): what is still in flight is
     * abandoned, and the summary, the listeners and {@link #termination()} get the status the
     * process is about to exit with, before it exits.
     *
     * @param status the exit status
     * @param why    what ended it, for the summary line
     * @return false when the sequence had already ended (its report stands)
     */
    boolean endEarly(ExitStatus status, String why) {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        report.endedEarly(status);
        end("Shutdown ended early by " + why);
        return true;
    }

    /**
     * Just before an exit the sequence did not reach by itself (a second signal): calls every
     * participant's {@code forceClose()} and waits at most {@code atMost} for them. The JVM's exit
     * waits up to 300 ms for threads blocked in a system call (a server's selectors and
     * acceptors), and those end only when their server stops; a stop that takes longer costs at
     * most {@code atMost} more.
     */
    void forceCloseBeforeExit(Duration atMost) {
        longLived.cutAll("before the forced exit");
        List<CompletableFuture<Void>> closing = participants.callEach("forceClose", Participant::forceClose);
        long start = System.nanoTime();
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(atMost.toNanos(), TimeUnit.NANOSECONDS);
            log.debug("Participants force-closed in {} ms before the exit", (System.nanoTime() - start) / 1_000_000);
        } catch (TimeoutException | ExecutionException e) {
            log.debug("Participants not closed within {} of the exit; exiting anyway", Durations.format(atMost));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void end(String how) {
        report.longLived(longLived.asked(), longLived.cut());
        ShutdownReport r = report.build();
        lifecycle.transition(Phase.STOPPED);
        long ok = r.tasks().stream().filter(TaskOutcome::succeeded).count();
        log.info(
                "{} in {} ({}): drained {}, abandoned {}, refused {}{}, shutdown tasks {}/{} ok; exit status {} ({})",
                how,
                Durations.format(r.totalDuration()),
                r.reason(),
                r.drained(),
                r.abandoned(),
                r.refused(),
                r.longLivedAsked() + r.longLivedCut() == 0
                        ? ""
                        : ", long-lived asked to leave " + r.longLivedAsked() + " (cut " + r.longLivedCut() + ")",
                ok,
                taskSnapshot.size(),
                r.exitStatus().code(),
                r.exitStatus());
        listeners.shutdownComplete(r);
        termination.complete(r);
    }

    /**
     * The outcome a halt leaves behind, for the watchdog's last line. Safe from any thread while
     * the sequence's own thread is stuck: it takes no lock and calls no participant.
     */
    String outcomeIfHaltedNow() {
        if (termination.isDone()) {
            ShutdownReport r = termination.join();
            return "the shutdown had ended (exit status " + r.exitStatus().code() + ", " + r.exitStatus()
                    + ", abandoned " + r.abandoned() + "); the halt replaces that status";
        }
        StringBuilder s = new StringBuilder("the shutdown was in phase ")
                .append(lifecycle.phase())
                .append(" with ")
                .append(gate.inFlight())
                .append(" unit(s) still in flight, abandoned by the halt");
        List<InFlightWork> described = trackers.describedWork();
        described.sort(Comparator.comparing(InFlightWork::age).reversed());
        for (InFlightWork w : described.subList(0, Math.min(described.size(), config.maxReportedInFlight()))) {
            s.append("\n  ").append(w);
        }
        return s.toString();
    }
}
