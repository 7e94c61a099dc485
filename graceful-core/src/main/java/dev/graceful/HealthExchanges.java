package dev.graceful;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health server's threads, each exchange bounded in time. The JDK server reads a request's
 * head on these threads, so a client that trickles its head would hold one for as long as it
 * likes: after the limit the thread is interrupted, which closes the connection's channel
 * (blocking NIO channels are interruptible) and so ends the exchange, on this connection only.
 * On Java 21+ each exchange has a virtual thread of its own, so stuck clients never keep a probe
 * waiting; before that, up to {@value #PLATFORM_THREADS} platform threads, the rest queued.
 */
final class HealthExchanges implements Executor, AutoCloseable {

    static final int PLATFORM_THREADS = 32;

    private static final Logger log = LoggerFactory.getLogger(HealthServer.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Duration limit;
    private final ExecutorService threads;
    private final ScheduledThreadPoolExecutor timer;

    /** Threads for exchanges of at most {@code limit} each, head included: virtual ones when the JVM has them. */
    HealthExchanges(Duration limit) {
        this(limit, true);
    }

    HealthExchanges(Duration limit, boolean virtualWhenAvailable) {
        this.limit = limit;
        ExecutorService virtual = virtualWhenAvailable ? virtualThreads() : null;
        this.threads = virtual != null ? virtual : platformThreads();
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("graceful-health-timer"));
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Whether exchanges run on virtual threads. */
    boolean virtual() {
        return !(threads instanceof ThreadPoolExecutor);
    }

    @Override
    public void execute(Runnable exchange) {
        threads.execute(() -> runBounded(exchange));
    }

    private void runBounded(Runnable exchange) {
        Deadline deadline = new Deadline(Thread.currentThread());
        ScheduledFuture<?> cut;
        try {
            cut = timer.schedule(deadline, limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            cut = null;
        }
        try {
            exchange.run();
        } finally {
            deadline.passed();
            if (cut != null) {
                cut.cancel(false);
            }
            Thread.interrupted(); // a cut that came late must not reach the thread's next exchange
        }
    }

    /** Stops every thread at once. */
    @Override
    public void close() {
        timer.shutdownNow();
        threads.shutdownNow();
    }

    /** Interrupts its exchange's thread once the limit has passed, unless the exchange ended first. */
    private final class Deadline implements Runnable {
        private final Thread thread;
        private boolean ended; // guarded by this

        Deadline(Thread thread) {
            this.thread = thread;
        }

        synchronized void passed() {
            ended = true;
        }

        @Override
        public synchronized void run() {
            if (!ended) {
                log.debug("A health exchange took longer than {}; closing its connection", Durations.format(limit));
                thread.interrupt();
            }
        }
    }

    private static ExecutorService platformThreads() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                PLATFORM_THREADS,
                PLATFORM_THREADS,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                r -> daemon("graceful-health-" + THREADS.incrementAndGet()).newThread(r));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** {@code Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(...).factory())} on Java 21+. */
    private static ExecutorService virtualThreads() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            builder = Class.forName("java.lang.Thread$Builder$OfVirtual")
                    .getMethod("name", String.class, long.class)
                    .invoke(builder, "graceful-health-v", 1L);
            ThreadFactory factory = (ThreadFactory) Class.forName("java.lang.Thread$Builder")
                    .getMethod("factory")
                    .invoke(builder);
            return (ExecutorService) Executors.class
                    .getMethod("newThreadPerTaskExecutor", ThreadFactory.class)
                    .invoke(null, factory);
        } catch (ReflectiveOperationException e) { // before Java 21 (19 and 20: a preview, off)
            return null;
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
