package dev.graceful;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A participant that records calls; each step's future can be held open by the test. */
public final class RecordingParticipant implements Participant {

    public final List<String> calls;
    final String name;
    volatile CompletableFuture<Void> stopAccepting = CompletableFuture.completedFuture(null);
    public volatile CompletableFuture<Void> closeIdle = CompletableFuture.completedFuture(null);
    public volatile CompletableFuture<Void> forceClose = CompletableFuture.completedFuture(null);
    volatile List<InFlightWork> inFlight = List.of();

    public RecordingParticipant(String name) {
        this(name, new CopyOnWriteArrayList<>());
    }

    public RecordingParticipant(String name, List<String> sharedCalls) {
        this.name = name;
        this.calls = sharedCalls;
    }

    /** A participant named {@code name}, already registered with {@code graceful}. */
    public static RecordingParticipant registeredWith(GracefulShutdown graceful, String name) {
        RecordingParticipant participant = new RecordingParticipant(name);
        graceful.register(participant);
        return participant;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<Void> stopAccepting() {
        return called("stopAccepting", stopAccepting);
    }

    @Override
    public CompletableFuture<Void> closeIdle() {
        return called("closeIdle", closeIdle);
    }

    @Override
    public CompletableFuture<Void> forceClose() {
        return called("forceClose", forceClose);
    }

    private CompletableFuture<Void> called(String step, CompletableFuture<Void> result) {
        calls.add(name + "." + step);
        return result;
    }

    @Override
    public List<InFlightWork> inFlight() {
        return inFlight;
    }
}
