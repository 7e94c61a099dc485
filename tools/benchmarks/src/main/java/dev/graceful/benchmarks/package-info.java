/**
 * graceful's benchmarks. Each group has one command ({@code tools/benchmarks/bin/run-*}), one package and
 * one smoke test that runs the command in its {@code --smoke} mode during {@code mvn verify}; see
 * {@code docs/BENCHMARKS.md}.
 */
package dev.graceful.benchmarks;
