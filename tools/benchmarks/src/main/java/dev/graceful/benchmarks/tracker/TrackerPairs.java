package dev.graceful.benchmarks.tracker;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.Tracker;
import dev.graceful.Work;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Group 1 ({@code docs/BENCHMARKS.md}): one request's enter+exit pair next to the counters the tracker could have
 * been built on, run by {@link OneThread} and {@link TwoThreads}. Each tear-down fails the benchmark unless every
 * pair balanced. Iteration counts are defaults; {@code bin/run-micro} passes its own.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// A fixed heap so that the one allocating benchmark (the described path) meets the same GC
// conditions in every fork and on every JDK.
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public abstract class TrackerPairs {

    /** What the described path records; a constant, so the string's cost is not ours. */
    static final String DESCRIPTION = "GET /orders/42";

    /** A graceful tracker of a coordinator that is ready and serving (gate open). */
    @State(Scope.Benchmark)
    public static class Serving {
        GracefulShutdown graceful;
        Tracker tracker;

        @Setup(Level.Trial)
        public void start() {
            graceful = GracefulShutdown.create();
            tracker = graceful.tracker("http");
            graceful.markReady();
        }

        @TearDown(Level.Trial)
        public void check() {
            requireZero("graceful tracker", tracker.inFlight());
        }
    }

    /**
     * A graceful tracker while the coordinator drains: one unit is held in flight so the drain
     * stays in {@link Phase#AWAITING_IN_FLIGHT}, where the gate is {@code DRAINING}, work is still
     * admitted, and every exit checks whether the count reached zero.
     */
    @State(Scope.Benchmark)
    public static class Draining {
        GracefulShutdown graceful;
        Tracker tracker;

        /** Starts a shutdown that cannot finish until {@link #finish()} lets the held unit go. */
        @Setup(Level.Trial)
        public void start() throws InterruptedException {
            graceful = GracefulShutdown.create(GracefulConfig.builder()
                    .readinessDelay(Duration.ZERO)
                    .drainTimeout(Duration.ofHours(1))
                    .build());
            tracker = graceful.tracker("http");
            graceful.markReady();
            if (!tracker.tryEnter()) {
                throw new IllegalStateException("a ready coordinator refused work");
            }
            graceful.shutdown("benchmark");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (graceful.phase() != Phase.AWAITING_IN_FLIGHT) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the drain did not start within 10s; phase " + graceful.phase());
                }
                Thread.sleep(1);
            }
        }

        /** Lets the held unit go, and fails the benchmark unless the drain then ends cleanly. */
        @TearDown(Level.Trial)
        public void finish() throws Exception {
            requireZero("graceful tracker (draining, held unit excluded)", tracker.inFlight() - 1);
            tracker.exit();
            ShutdownReport report = graceful.termination().get(10, TimeUnit.SECONDS);
            if (!report.isClean()) {
                throw new IllegalStateException("the drain did not end cleanly: " + report);
            }
        }
    }

    /** The plain counter a naive tracker would use. */
    @State(Scope.Benchmark)
    public static class Atomic {
        final AtomicLong count = new AtomicLong();

        @TearDown(Level.Trial)
        public void check() {
            requireZero("AtomicLong", count.get());
        }
    }

    /** The striped counter graceful's tracker is built from. */
    @State(Scope.Benchmark)
    public static class Adder {
        final LongAdder count = new LongAdder();

        @TearDown(Level.Trial)
        public void check() {
            requireZero("LongAdder", count.sum());
        }
    }

    /** The design core rejected: count and closed bit in one word, admission by a CAS loop. */
    @State(Scope.Benchmark)
    public static class OneWord {
        final SingleWordGate gate = new SingleWordGate();

        @TearDown(Level.Trial)
        public void check() {
            requireZero("single-word gate", gate.inFlight());
        }
    }

    /** graceful's hot path, as an adapter uses it around each request. */
    @Benchmark
    public boolean gracefulEnterExit(Serving s) {
        boolean admitted = s.tracker.tryEnter();
        if (admitted) {
            s.tracker.exit();
        }
        return admitted;
    }

    /** The hot path during the drain (requests on open connections are still served then). */
    @Benchmark
    public boolean gracefulEnterExitWhileDraining(Draining s) {
        boolean admitted = s.tracker.tryEnter();
        if (admitted) {
            s.tracker.exit();
        }
        return admitted;
    }

    /** The described path (a {@link Work} handle, reported by name if stuck): it allocates by design; how much? */
    @Benchmark
    public Work gracefulBeginClose(Serving s) {
        Work work = s.tracker.tryBegin(DESCRIPTION);
        work.close();
        return work;
    }

    /** Baseline: one {@link AtomicLong} up and down, reading the count as a counting tracker must (to see zero). */
    @Benchmark
    public long atomicLongPair(Atomic s) {
        s.count.incrementAndGet();
        return s.count.decrementAndGet();
    }

    /** Baseline: increment and decrement one {@link LongAdder}; the cost graceful's design aims at. */
    @Benchmark
    public void longAdderPair(Adder s) {
        s.count.increment();
        s.count.decrement();
    }

    /** The rejected design ({@link SingleWordGate}): admission by a CAS loop on one word, exit by one decrement. */
    @Benchmark
    public boolean casLoopOneWord(OneWord s) {
        boolean admitted = s.gate.tryEnter();
        if (admitted) {
            s.gate.exit();
        }
        return admitted;
    }

    static void requireZero(String what, long inFlight) {
        if (inFlight != 0) {
            throw new IllegalStateException(what + " did not balance: " + inFlight + " unit(s) left in flight");
        }
    }
}
