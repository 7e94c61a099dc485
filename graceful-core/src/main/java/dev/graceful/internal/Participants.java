package dev.graceful.internal;

import dev.graceful.Durations;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.Participant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered {@link Participant}s, and calling one step of the sequence on each of them. A
 * participant that throws, fails its future or never completes it is logged and the sequence goes
 * on: an adapter must not be able to wedge a shutdown.
 */
final class Participants {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final Lifecycle lifecycle;
    private final Scheduler scheduler;
    private final Duration closeTimeout;
    private final List<Participant> registered = new CopyOnWriteArrayList<>();

    Participants(Lifecycle lifecycle, Scheduler scheduler, Duration closeTimeout) {
        this.lifecycle = lifecycle;
        this.scheduler = scheduler;
        this.closeTimeout = closeTimeout;
    }

    void register(Participant participant) {
        Objects.requireNonNull(participant, "participant");
        synchronized (lifecycle.lock()) {
            lifecycle.requireNotStarted("register participant '" + name(participant) + "'");
            if (registered.contains(participant)) {
                throw new IllegalArgumentException("participant '" + name(participant) + "' is already registered");
            }
            registered.add(participant);
        }
    }

    int size() {
        return registered.size();
    }

    /**
     * Calls a step on every participant, unbounded (the caller bounds the wait).
     *
     * @return one future per participant, in registration order; each completes normally when that
     *         participant is done, failed or not
     */
    List<CompletableFuture<Void>> callEach(String step, Function<Participant, CompletableFuture<Void>> action) {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (Participant p : registered) {
            futures.add(call(p, step, action));
        }
        return futures;
    }

    /** Calls a step on every participant; completes when all are done or the close timeout passed. */
    CompletableFuture<Void> awaitEach(String step, Function<Participant, CompletableFuture<Void>> action) {
        List<CompletableFuture<Void>> futures = callEach(step, action);
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
        CompletableFuture<Void> bounded = new CompletableFuture<>();
        all.whenComplete((v, e) -> bounded.complete(null));
        Runnable cancel = scheduler.schedule(closeTimeout, () -> {
            if (bounded.complete(null)) {
                List<String> late = new ArrayList<>();
                for (int i = 0; i < futures.size(); i++) {
                    if (!futures.get(i).isDone()) {
                        late.add(name(registered.get(i)));
                    }
                }
                log.warn(
                        "Participants {} did not finish {} within the close timeout of {}; going on",
                        late,
                        step,
                        Durations.format(closeTimeout));
            }
        });
        bounded.whenComplete((v, e) -> cancel.run());
        return bounded;
    }

    /** What the participants report in flight (those that track without {@code Work} handles). */
    List<InFlightWork> describedWork() {
        List<InFlightWork> all = new ArrayList<>();
        for (Participant p : registered) {
            try {
                all.addAll(p.inFlight());
            } catch (RuntimeException | LinkageError e) {
                log.warn("Participant '{}' failed to describe its in-flight work", name(p), e);
            }
        }
        return all;
    }

    private static CompletableFuture<Void> call(
            Participant p, String step, Function<Participant, CompletableFuture<Void>> action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            CompletableFuture<Void> f = action.apply(p);
            if (f == null) {
                throw new NullPointerException(step + "() returned null");
            }
            f.whenComplete((v, e) -> {
                if (e != null) {
                    log.warn("Participant '{}' failed to {}", name(p), step, e);
                }
                done.complete(null);
            });
        } catch (RuntimeException | LinkageError e) {
            log.warn("Participant '{}' failed to {}", name(p), step, e);
            done.complete(null);
        }
        return done;
    }

    /** A participant's name for messages; a participant whose {@code name()} throws is named by its class. */
    private static String name(Participant p) {
        try {
            return String.valueOf(p.name());
        } catch (RuntimeException e) {
            return p.getClass().getName();
        }
    }
}
