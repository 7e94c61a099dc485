/** Group 3, shutdown reaction: see {@link dev.graceful.benchmarks.reaction.ReactionBench}. */
package dev.graceful.benchmarks.reaction;
