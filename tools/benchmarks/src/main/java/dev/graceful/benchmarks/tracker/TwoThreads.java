package dev.graceful.benchmarks.tracker;

import org.openjdk.jmh.annotations.Threads;

/**
 * Every pair of {@link TrackerPairs} on two threads sharing one subject, as two request threads of one
 * server (why two, and why not {@code @Group}: {@code docs/BENCHMARKS.md}, group 1).
 */
@Threads(2)
public class TwoThreads extends TrackerPairs {}
