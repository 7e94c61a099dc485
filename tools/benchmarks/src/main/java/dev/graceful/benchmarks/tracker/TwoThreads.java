package dev.graceful.benchmarks.tracker;

import org.openjdk.jmh.annotations.Threads;

/**
 * Every pair of {@link TrackerPairs} on two threads sharing one subject (all states are
 * {@code Scope.Benchmark}): two request threads of one server hitting the same tracker. Two, not
 * more, because the reference machine has two cores; more threads than cores would measure the
 * scheduler, not the counter. {@code @Threads} rather than {@code @Group}: both threads play the
 * same role (each enters and exits, as request threads do); a group is for asymmetric roles, and
 * splitting enters and exits across threads would model no server.
 */
@Threads(2)
public class TwoThreads extends TrackerPairs {}
