/**
 * Group 4, drain at scale: thousands of asynchronous requests in flight on a real server when
 * SIGTERM arrives, all drained; see {@link dev.graceful.benchmarks.scale.ScaleBench}.
 */
package dev.graceful.benchmarks.scale;
