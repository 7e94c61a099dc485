package dev.graceful.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose time moves only when a test calls {@link #advance(Duration)}; actions still run
 * on a real single thread, like production, so tests wait for them with Awaitility.
 */
public final class ManualScheduler implements Scheduler, AutoCloseable {

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "manual-scheduler");
        t.setDaemon(true);
        return t;
    });
    private final List<Timer> timers = new ArrayList<>();
    private long nanos = 1_000_000_000L;

    private static final class Timer {
        final long due;
        final Runnable action;

        Timer(long due, Runnable action) {
            this.due = due;
            this.action = action;
        }
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Instant now() {
        return Instant.EPOCH.plusNanos(nanos);
    }

    @Override
    public synchronized Runnable schedule(Duration delay, Runnable action) {
        Timer timer = new Timer(nanos + delay.toNanos(), action);
        timers.add(timer);
        return () -> {
            synchronized (ManualScheduler.this) {
                timers.remove(timer);
            }
        };
    }

    @Override
    public void execute(Runnable action) {
        thread.execute(action);
    }

    /**
     * Moves time forward and runs, on the scheduler thread, every action that became due.
     *
     * @param d how far
     */
    public void advance(Duration d) {
        // Let actions already submitted schedule their timers before time moves.
        awaitIdle();
        List<Timer> due = new ArrayList<>();
        synchronized (this) {
            nanos += d.toNanos();
            for (Timer t : timers) {
                if (t.due - nanos <= 0) {
                    due.add(t);
                }
            }
            timers.removeAll(due);
        }
        due.sort(Comparator.comparingLong(t -> t.due));
        for (Timer t : due) {
            thread.execute(t.action);
        }
        awaitIdle();
    }

    /** Waits until every action submitted so far has run. */
    public void awaitIdle() {
        try {
            thread.submit(() -> {}).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("scheduler thread is stuck", e);
        }
    }

    /**
     * The number of pending timers.
     *
     * @return pending timers
     */
    public synchronized int pendingTimers() {
        return timers.size();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
