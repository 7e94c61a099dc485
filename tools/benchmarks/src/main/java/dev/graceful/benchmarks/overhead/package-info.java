/**
 * Group 2, adapter overhead under load: throughput and p99 latency of {@code GET /} on each example
 * with graceful and without it, driven by {@code wrk}; see
 * {@link dev.graceful.benchmarks.overhead.OverheadBench}.
 */
package dev.graceful.benchmarks.overhead;
