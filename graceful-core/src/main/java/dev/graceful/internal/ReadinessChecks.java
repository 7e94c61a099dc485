package dev.graceful.internal;

import dev.graceful.Durations;
import dev.graceful.GracefulShutdown;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named readiness checks: readiness passes only while every one of them does. Each check runs
 * on a thread of graceful's and a probe waits for it at most the configured limit, so a probe
 * answers in time whatever a check does; a check that has not answered, or threw, fails with why.
 *
 * <p>At most one evaluation of a check runs at a time. A probe that finds one in flight shares it
 * (waiting until that evaluation's limit, not its own); once it has overrun, later probes fail at
 * once without starting another. So a hung check holds one thread, not one per probe, and each
 * probe still sees a fresh answer whenever the check is quick. An overrunning check is not
 * interrupted: its thread may be in the application's I/O, and an interrupt closes NIO channels.
 */
final class ReadinessChecks {

    static final String RETURNED_FALSE = "returned false";

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Lifecycle lifecycle;
    private final Duration limit;
    private final List<Check> checks = new CopyOnWriteArrayList<>();
    // Unbounded in size, bounded in use: one evaluation per check at a time. Idle threads end.
    private final Executor threads =
            new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "graceful-readiness-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    ReadinessChecks(Lifecycle lifecycle, Duration limit) {
        this.lifecycle = lifecycle;
        this.limit = limit;
    }

    void add(String name, BooleanSupplier check) {
        String n = Names.check("readiness check", name);
        Objects.requireNonNull(check, "check");
        synchronized (lifecycle.lock()) {
            for (Check c : checks) {
                if (c.name.equals(n)) {
                    throw new IllegalArgumentException("a readiness check named '" + n + "' is already registered");
                }
            }
            checks.add(new Check(n, check));
        }
    }

    /** Stops waiting at the first failing check: probes call this often. */
    boolean allPass() {
        return evaluate(true).isEmpty();
    }

    Set<String> failing() {
        return evaluate(false).keySet();
    }

    /** Each failing check's name and why, in registration order. */
    Map<String, String> failures() {
        return evaluate(false);
    }

    private Map<String, String> evaluate(boolean firstOnly) {
        if (checks.isEmpty()) {
            return Map.of();
        }
        // All start before any is awaited: a probe costs one limit, not one per check.
        List<Evaluation> evaluations = new ArrayList<>(checks.size());
        for (Check check : checks) {
            evaluations.add(check.evaluation(threads));
        }
        Map<String, String> failures = null;
        for (Evaluation evaluation : evaluations) {
            String reason = evaluation.await(limit);
            if (reason != null) {
                if (failures == null) {
                    failures = new LinkedHashMap<>();
                }
                failures.put(evaluation.check.name, reason);
                if (firstOnly) {
                    break;
                }
            }
        }
        return failures == null ? Map.of() : Collections.unmodifiableMap(failures);
    }

    private static final class Check {
        final String name;
        final BooleanSupplier supplier;
        private final AtomicReference<Evaluation> current = new AtomicReference<>();

        Check(String name, BooleanSupplier supplier) {
            this.name = name;
            this.supplier = supplier;
        }

        /** The evaluation in flight, or a new one. */
        Evaluation evaluation(Executor threads) {
            while (true) {
                Evaluation last = current.get();
                if (last != null && !last.reason.isDone()) {
                    return last;
                }
                Evaluation next = new Evaluation(this);
                if (current.compareAndSet(last, next)) {
                    next.start(threads);
                    return next;
                }
            }
        }
    }

    private static final class Evaluation implements Runnable {
        final Check check;
        final long startNanos = System.nanoTime();
        /** Completes with {@code null} when the check passes, else with why it fails. */
        final CompletableFuture<String> reason = new CompletableFuture<>();

        Evaluation(Check check) {
            this.check = check;
        }

        void start(Executor threads) {
            try {
                threads.execute(this);
            } catch (RuntimeException | OutOfMemoryError e) { // no thread to be had
                reason.complete("not started: " + describe(e));
            }
        }

        @Override
        public void run() {
            try {
                reason.complete(check.supplier.getAsBoolean() ? null : RETURNED_FALSE);
            } catch (Throwable e) {
                log.debug("Readiness check '{}' threw; counting it as failing", check.name, e);
                reason.complete("threw " + describe(e));
            }
        }

        String await(Duration limit) {
            long left = startNanos + limit.toNanos() - System.nanoTime();
            try {
                if (left > 0) {
                    return reason.get(left, TimeUnit.NANOSECONDS);
                }
                if (reason.isDone()) {
                    return reason.join();
                }
                Duration running = Duration.ofNanos(System.nanoTime() - startNanos);
                return "still running after " + Durations.format(running) + " (limit " + Durations.format(limit) + ")";
            } catch (TimeoutException e) {
                return "timed out after " + Durations.format(limit);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "not awaited: the probe was interrupted";
            } catch (ExecutionException e) {
                throw new IllegalStateException("never completed exceptionally", e);
            }
        }

        private static String describe(Throwable e) {
            String message = e.getMessage();
            return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        }
    }
}
