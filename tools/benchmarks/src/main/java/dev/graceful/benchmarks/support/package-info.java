/**
 * What the macro benchmarks (groups 2-4) share: child processes whose output lines are timestamped
 * on arrival, free ports, a small HTTP readiness poll, the common command-line options, and CSV
 * samples turned into Markdown tables of medians with their range.
 */
package dev.graceful.benchmarks.support;
