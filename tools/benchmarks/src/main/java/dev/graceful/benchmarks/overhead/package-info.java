/** Group 2, adapter overhead under load: see {@link dev.graceful.benchmarks.overhead.OverheadBench}. */
package dev.graceful.benchmarks.overhead;
