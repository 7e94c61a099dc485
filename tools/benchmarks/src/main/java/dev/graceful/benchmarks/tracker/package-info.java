/**
 * Group 1, the tracker hot path (JMH): the benchmarks ({@link dev.graceful.benchmarks.tracker.TrackerPairs}),
 * their runner ({@link dev.graceful.benchmarks.tracker.MicroBench}) and report.
 */
package dev.graceful.benchmarks.tracker;
