/**
 * Benchmark-only launchers (groups 2 and 3): the examples with graceful, without it, and with only
 * their framework's own graceful stop. Never copied by users; the examples are.
 */
package dev.graceful.benchmarks.apps;
