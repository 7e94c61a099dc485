/**
 * {@link dev.graceful.benchmarks.apps.ServerApp}: the examples without graceful, or with only their
 * framework's own stop.
 */
package dev.graceful.benchmarks.apps;
