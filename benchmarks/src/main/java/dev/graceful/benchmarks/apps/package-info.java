/** Benchmark-only launchers (groups 2-4): each example with graceful, without it, and with its framework's own stop. */
package dev.graceful.benchmarks.apps;
