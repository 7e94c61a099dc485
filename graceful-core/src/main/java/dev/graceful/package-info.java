/**
 * graceful's public API: the {@link dev.graceful.GracefulShutdown} coordinator and its
 * {@link dev.graceful.GracefulConfig}, in-flight {@link dev.graceful.Tracker}s, the
 * {@link dev.graceful.Participant} SPI for server adapters, shutdown tasks, reload callbacks,
 * the framework-neutral {@link dev.graceful.HealthEndpoint} and the standalone
 * {@link dev.graceful.HealthServer}.
 *
 * <p>Everything under {@code dev.graceful.internal} is implementation and may change without
 * notice; do not depend on it.
 */
package dev.graceful;
