package dev.graceful.servlet.internal;

import dev.graceful.Participant;
import java.util.concurrent.CompletableFuture;

/**
 * What the Jetty and Tomcat participants share: their name and their last two steps, both run by
 * a {@link ConnectionDrain}. Each participant closes its server's listener its own way.
 */
public abstract class DrainingParticipant implements Participant {

    private final ConnectionDrain drain;

    /** For the participants only. */
    protected DrainingParticipant(ConnectionDrain drain) {
        this.drain = drain;
    }

    /** Tells the drain that the listeners are closing (the first step has begun). */
    protected final void listenersClosing() {
        drain.listenersClosing();
    }

    @Override
    public final String name() {
        return drain.name();
    }

    @Override
    public final CompletableFuture<Void> closeIdle() {
        return drain.closeIdle();
    }

    @Override
    public final CompletableFuture<Void> forceClose() {
        return drain.forceClose();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name() + "]";
    }
}
