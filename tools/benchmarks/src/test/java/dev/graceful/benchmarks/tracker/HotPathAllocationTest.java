package dev.graceful.benchmarks.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import dev.graceful.Tracker;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The 0 B/op target of group 1, checked exactly on every build: the JMH smoke runs too briefly to
 * say anything, but the JVM counts the bytes each thread allocates, so a hot path that starts
 * allocating (one object is at least 16 bytes per pair) fails here, interpreted or compiled.
 */
class HotPathAllocationTest {

    private static final int PAIRS = 1_000_000;

    @Test
    void enterAndExitAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Tracker tracker = GracefulShutdown.create().tracker("http");
        long id = Thread.currentThread().getId();
        run(tracker, PAIRS); // first calls resolve classes and may allocate; not counted
        threads.getThreadAllocatedBytes(id);

        long before = threads.getThreadAllocatedBytes(id);
        int admitted = run(tracker, PAIRS);
        long allocated = threads.getThreadAllocatedBytes(id) - before;

        assertThat(admitted).isEqualTo(PAIRS);
        assertThat(tracker.inFlight()).isZero();
        // Less than one byte per pair: the counter reads themselves may allocate a little once.
        assertThat(allocated)
                .as("bytes allocated by %d enter/exit pairs", PAIRS)
                .isLessThan(PAIRS);
    }

    private static int run(Tracker tracker, int pairs) {
        int admitted = 0;
        for (int i = 0; i < pairs; i++) {
            if (tracker.tryEnter()) {
                admitted++;
                tracker.exit();
            }
        }
        return admitted;
    }
}
