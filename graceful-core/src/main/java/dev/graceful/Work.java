package dev.graceful;

import java.time.Duration;

/**
 * One described unit of in-flight work, returned by {@link Tracker#begin(String)}.
 * {@link #close()} counts it out; closing twice is harmless (the second call does nothing), which
 * matters for asynchronous completions that can be reported by more than one callback.
 */
public interface Work extends AutoCloseable {

    /** The kind of the tracker that admitted this work. */
    String kind();

    /** The description given when the work began. */
    String description();

    /** How long this work has been in flight, measured on the engine's clock. */
    Duration age();

    /** Whether {@link #close()} has been called. */
    boolean isClosed();

    /** Counts this work out. Idempotent. */
    @Override
    void close();
}
