package dev.graceful.benchmarks.tracker;

import org.openjdk.jmh.annotations.Threads;

/**
 * Every pair of {@link TrackerPairs} on two threads sharing one subject (all states are
 * {@code Scope.Benchmark}): two request threads of one server hitting the same tracker. Two, not
 * more, because the reference machine has two cores; more threads than cores would measure the
 * scheduler, not the counter.
 */
@Threads(2)
public class TwoThreads extends TrackerPairs {
}
