/**
 * What the macro groups (2-4) share: their runner's skeleton, timestamped child processes, ports
 * and readiness, CSV samples, and medians with their range.
 */
package dev.graceful.benchmarks.support;
