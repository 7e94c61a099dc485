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
 * Group 1: what one request costs the tracker, as one enter+exit pair, next to the counters it
 * could have been built on. {@link OneThread} and {@link TwoThreads} run these same methods.
 *
 * <h2>Setup choices</h2>
 * <ul>
 *   <li><b>Average time per pair, in ns.</b> One benchmark operation is one whole request's worth
 *   of tracking (enter and exit), so the score reads as "what a request pays" and
 *   {@code gc.alloc.rate.norm} reads as bytes per request.</li>
 *   <li><b>Every subject is a {@link Scope#Benchmark} state</b>: with {@code @Threads(2)} both
 *   threads hammer the same tracker (the same counter), which is what two request threads of one
 *   server do. Each subject has its own state class so that a benchmark creates only what it
 *   measures, and a {@link TearDown} checks that every pair balanced (a benchmark that silently
 *   stopped doing its work would fail, not look fast).</li>
 *   <li><b>Dead code.</b> Every subject writes shared memory through an atomic instruction, which
 *   the JIT may not remove; values that are computed are returned, so JMH's blackhole keeps them
 *   (on JDK 17+ JMH uses compiler blackholes, which cost nothing at the call site).</li>
 *   <li><b>Baselines run in the same invocation</b> (and in every round of {@code bin/run-micro}),
 *   so ratios compare numbers taken under the same machine load.</li>
 *   <li><b>The serving state is {@code READY}</b>: the gate is open, which is the state a server
 *   spends its life in. {@link #gracefulEnterExitWhileDraining} shows the drain phase, where every
 *   exit also looks for zero.</li>
 * </ul>
 * Iteration counts here are defaults for running the jar by hand; {@code bin/run-micro} passes its
 * own.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// A fixed heap so that the one allocating benchmark (the described path) meets the same GC
// conditions in every fork and on every JDK.
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public abstract class TrackerPairs {

    /** What the described path records; a constant, so the string's cost is not ours. */
    static final String DESCRIPTION = "GET /orders/42";

    /** A graceful tracker of a coordinator that is ready and serving (gate open). */
    @State(Scope.Benchmark)
    public static class Serving {
        GracefulShutdown graceful;
        Tracker tracker;

        /** Creates the coordinator the way an application does, and marks it ready. */
        @Setup(Level.Trial)
        public void start() {
            graceful = GracefulShutdown.create();
            tracker = graceful.tracker("http");
            graceful.markReady();
        }

        /** Fails the benchmark if an enter was not matched by an exit. */
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

        /** Fails the benchmark if the pairs did not balance. */
        @TearDown(Level.Trial)
        public void check() {
            requireZero("AtomicLong", count.get());
        }
    }

    /** The striped counter graceful's tracker is built from. */
    @State(Scope.Benchmark)
    public static class Adder {
        final LongAdder count = new LongAdder();

        /** Fails the benchmark if the pairs did not balance. */
        @TearDown(Level.Trial)
        public void check() {
            requireZero("LongAdder", count.sum());
        }
    }

    /** The design core rejected: count and closed bit in one word, admission by a CAS loop. */
    @State(Scope.Benchmark)
    public static class OneWord {
        final SingleWordGate gate = new SingleWordGate();

        /** Fails the benchmark if the pairs did not balance. */
        @TearDown(Level.Trial)
        public void check() {
            requireZero("single-word gate", gate.inFlight());
        }
    }

    /**
     * graceful's hot path, as an adapter uses it around each request.
     *
     * @param s the shared tracker
     * @return whether the unit was admitted (always, while serving)
     */
    @Benchmark
    public boolean gracefulEnterExit(Serving s) {
        boolean admitted = s.tracker.tryEnter();
        if (admitted) {
            s.tracker.exit();
        }
        return admitted;
    }

    /**
     * The hot path during the drain (requests on open connections are still served then).
     *
     * @param s the shared, draining tracker
     * @return whether the unit was admitted (always, until the final close)
     */
    @Benchmark
    public boolean gracefulEnterExitWhileDraining(Draining s) {
        boolean admitted = s.tracker.tryEnter();
        if (admitted) {
            s.tracker.exit();
        }
        return admitted;
    }

    /**
     * The described path: a {@link Work} handle with a description and a start time, registered
     * so a stuck unit can be reported by name. It allocates by design; this shows how much.
     *
     * @param s the shared tracker
     * @return the closed handle (returned so the JIT must materialise it)
     */
    @Benchmark
    public Work gracefulBeginClose(Serving s) {
        Work work = s.tracker.tryBegin(DESCRIPTION);
        work.close();
        return work;
    }

    /**
     * Baseline: increment and decrement one {@link AtomicLong}, reading the decremented value as
     * a counting tracker must (to notice zero).
     *
     * @param s the shared counter
     * @return the count after the pair
     */
    @Benchmark
    public long atomicLongPair(Atomic s) {
        s.count.incrementAndGet();
        return s.count.decrementAndGet();
    }

    /**
     * Baseline: increment and decrement one {@link LongAdder}; the cost graceful's design aims at.
     *
     * @param s the shared counter
     */
    @Benchmark
    public void longAdderPair(Adder s) {
        s.count.increment();
        s.count.decrement();
    }

    /**
     * The rejected design: admission by a CAS loop on one word that holds the count and a closed
     * bit; exit by one atomic decrement.
     *
     * @param s the shared word
     * @return whether the unit was admitted (always: the gate is never closed here)
     */
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
