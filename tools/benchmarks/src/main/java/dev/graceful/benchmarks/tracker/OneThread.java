package dev.graceful.benchmarks.tracker;

import org.openjdk.jmh.annotations.Threads;

/** Every pair of {@link TrackerPairs} on one thread: the uncontended cost. */
@Threads(1)
public class OneThread extends TrackerPairs {}
