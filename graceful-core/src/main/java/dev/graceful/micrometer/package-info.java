/**
 * Micrometer metrics for graceful: {@link dev.graceful.micrometer.GracefulMetrics}, a
 * {@code MeterBinder}. The only package that uses Micrometer, which is an optional dependency:
 * the rest of graceful-core loads and works without it.
 */
package dev.graceful.micrometer;
