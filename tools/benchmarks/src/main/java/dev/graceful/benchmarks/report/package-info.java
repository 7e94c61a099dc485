/**
 * Turns JMH's JSON results into the ratio tables of {@code docs/BENCHMARKS.md}.
 */
package dev.graceful.benchmarks.report;
