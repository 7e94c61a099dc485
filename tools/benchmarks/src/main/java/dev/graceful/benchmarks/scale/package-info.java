/** Group 4, drain at scale: see {@link dev.graceful.benchmarks.scale.ScaleBench}. */
package dev.graceful.benchmarks.scale;
