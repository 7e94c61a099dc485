package dev.graceful;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many threads enter and exit while a real drain runs concurrently. Catches a lost count, a
 * negative count, a drain that finishes with work in flight, and work admitted after the final
 * close.
 */
class TrackerStressTest {

    private static final int THREADS = 6;

    /** What the workers threw: a failure on a raw thread only kills that thread, so the test collects it. */
    private final Queue<Throwable> workerFailures = new ConcurrentLinkedQueue<>();

    private Runnable collectingFailures(Runnable body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable e) {
                workerFailures.add(e);
            }
        };
    }

    private void assertWorkersSucceeded(List<Thread> threads) {
        for (Thread t : threads) {
            assertThat(t.isAlive()).as("%s still running", t.getName()).isFalse();
        }
        Throwable first = workerFailures.peek();
        if (first != null) {
            AssertionError failed = new AssertionError(workerFailures.size() + " worker(s) failed", first);
            workerFailures.stream().skip(1).forEach(failed::addSuppressed);
            throw failed;
        }
    }

    /**
     * Platform threads always; virtual threads too when the JVM has them (Java 21+), created
     * reflectively because the code base targets Java 17.
     */
    static List<String> threadKinds() {
        List<String> kinds = new ArrayList<>(List.of("platform"));
        if (virtualThreads() != null) {
            kinds.add("virtual");
        }
        return kinds;
    }

    private static ThreadFactory virtualThreads() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            // Through the public interface: the builder's own class is not accessible.
            return (ThreadFactory) Class.forName("java.lang.Thread$Builder")
                    .getMethod("factory")
                    .invoke(builder);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static ThreadFactory factory(String kind) {
        return "virtual".equals(kind) ? virtualThreads() : Thread::new;
    }

    @ParameterizedTest(name = "{0} threads, round {1}")
    @MethodSource("rounds")
    void drainIsExactUnderConcurrentEnterAndExit(String kind, int round) throws Exception {
        GracefulShutdown g = GracefulShutdown.create(
                GracefulConfig.builder().drainTimeout(Duration.ofSeconds(60)).build());
        g.markReady();
        Tracker http = g.tracker("http");
        Tracker jobs = g.tracker("job");

        // An exact reference count, raised after admission and lowered before exit: it can only be
        // non-zero while the tracker's own count is non-zero too.
        AtomicLong exact = new AtomicLong();
        AtomicBoolean finalClosed = new AtomicBoolean();
        AtomicLong exactAtFinalClose = new AtomicLong(-1);
        LongAdder admittedAfterClose = new LongAdder();
        LongAdder cutOff = new LongAdder();
        LongAdder admitted = new LongAdder();
        LongAdder refused = new LongAdder();
        g.addListener(new GracefulListener() {
            @Override
            public void onTransition(Transition t) {
                if (t.to() == Phase.CLOSING_IDLE || t.to() == Phase.FORCE_CLOSING) {
                    exactAtFinalClose.set(exact.get());
                    finalClosed.set(true);
                }
            }
        });

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong minSeen = new AtomicLong();
        CountDownLatch started = new CountDownLatch(THREADS);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            boolean described = i % 2 == 0;
            Thread t = factory(kind).newThread(collectingFailures(() -> {
                started.countDown();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                    boolean closedBefore = finalClosed.get();
                    // What an admitted request does between its admission and its exit.
                    Runnable serve = () -> {
                        admitted.increment();
                        if (closedBefore) {
                            admittedAfterClose.increment();
                        }
                        exact.incrementAndGet();
                        work(random);
                        exact.decrementAndGet();
                        if (finalClosed.get()) {
                            cutOff.increment();
                        }
                    };
                    if (described) {
                        Work w = jobs.tryBegin("job");
                        if (w == null) {
                            refused.increment();
                        } else {
                            serve.run();
                            w.close();
                        }
                    } else if (http.tryEnter()) {
                        serve.run();
                        http.exit();
                    } else {
                        refused.increment();
                    }
                    if (random.nextInt(8) == 0) {
                        Thread.yield();
                    }
                    if (g.state() != State.READY) {
                        // Once new connections stop, arrivals thin out (only open connections
                        // send more): gaps in which the count can reach zero, while entries
                        // still race with the final close.
                        LockSupport.parkNanos(random.nextInt(200_000));
                    }
                }
            }));
            t.setName("stress-" + i);
            workers.add(t);
            t.start();
        }
        Thread monitor = new Thread(
                collectingFailures(() -> {
                    while (!stop.get()) {
                        minSeen.accumulateAndGet(
                                Math.min(http.inFlight(), Math.min(jobs.inFlight(), g.inFlight())), Math::min);
                    }
                }),
                "stress-monitor");
        monitor.start();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        // Entries must race the close, not all come after it: a loaded machine can start the workers
        // late enough that the drain, with nothing in flight, closed the gate before any entry.
        await().atMost(Duration.ofSeconds(10)).until(() -> admitted.sum() >= THREADS);

        ShutdownReport report;
        try {
            report = g.shutdown("stress").get(60, TimeUnit.SECONDS);
            // Keep hammering the closed gate for a moment so that late admissions would show.
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        } finally {
            stop.set(true);
            for (Thread t : workers) {
                t.join(10_000);
            }
            monitor.join(10_000);
            workers.add(monitor);
            // Here, so that a worker's failure is reported rather than the drain it left hanging.
            assertWorkersSucceeded(workers);
        }

        assertThat(report.drainTimedOut()).isFalse();
        assertThat(exactAtFinalClose.get())
                .as("work in flight when the drain declared zero")
                .isZero();
        assertThat(admittedAfterClose.sum())
                .as("work admitted after the final close")
                .isZero();
        assertThat(cutOff.sum())
                .as("work still running when the drain declared completion")
                .isZero();
        assertThat(minSeen.get()).as("lowest in-flight count observed").isGreaterThanOrEqualTo(0);
        assertThat(g.inFlight()).isZero();
        assertThat(http.inFlight()).isZero();
        assertThat(jobs.inFlight()).isZero();
        assertThat(refused.sum()).isGreaterThanOrEqualTo(report.refused());
        assertThat(admitted.sum()).isPositive();
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> rounds() {
        return threadKinds().stream()
                .flatMap(kind -> java.util.stream.IntStream.rangeClosed(1, 15)
                        .mapToObj(round -> org.junit.jupiter.params.provider.Arguments.of(kind, round)));
    }

    @Test
    void countsStayExactWithoutADrain() throws Exception {
        GracefulShutdown g = GracefulShutdown.create();
        Tracker t = g.tracker("http");
        int perThread = 200_000;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Thread th = new Thread(collectingFailures(() -> {
                for (int n = 0; n < perThread; n++) {
                    assertThat(t.tryEnter()).isTrue();
                    t.exit();
                }
            }));
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(60_000);
        }
        assertWorkersSucceeded(threads);
        assertThat(t.inFlight()).isZero();
    }

    /**
     * Mostly very short work; now and then a park, like waiting on I/O, long enough to outlive a
     * thread hand-off (and what lets virtual threads on two carriers take turns).
     */
    private static void work(ThreadLocalRandom random) {
        if (random.nextInt(32) == 0) {
            LockSupport.parkNanos(50_000);
        } else {
            spin(random.nextInt(50));
        }
    }

    private static void spin(int n) {
        for (int i = 0; i < n; i++) {
            Thread.onSpinWait();
        }
    }
}
