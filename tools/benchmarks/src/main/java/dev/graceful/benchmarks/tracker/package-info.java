/**
 * Group 1 of the benchmarks: the tracker hot path (JMH). {@link dev.graceful.benchmarks.tracker.TrackerPairs}
 * holds the benchmark methods; {@link dev.graceful.benchmarks.tracker.OneThread} and
 * {@link dev.graceful.benchmarks.tracker.TwoThreads} run them on one and two threads. Run with
 * {@code benchmarks/bin/run-micro}.
 */
package dev.graceful.benchmarks.tracker;
