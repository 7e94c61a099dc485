/**
 * Implementation of graceful-core. Not API: nothing here is covered by compatibility promises,
 * and adapters must use only {@code dev.graceful}.
 *
 * <p>To read it, start at {@link dev.graceful.internal.DefaultGracefulShutdown} (the front, which
 * names every part), then {@link dev.graceful.internal.ShutdownSequence} (one shutdown, step by
 * step) and {@link dev.graceful.internal.Gate} (why the in-flight count is exact).
 */
package dev.graceful.internal;
