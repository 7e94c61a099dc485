/**
 * Group 3, shutdown reaction: how long each example takes to leave once it may, with graceful and
 * with only its framework's own graceful stop; see {@link dev.graceful.benchmarks.reaction.ReactionBench}.
 */
package dev.graceful.benchmarks.reaction;
