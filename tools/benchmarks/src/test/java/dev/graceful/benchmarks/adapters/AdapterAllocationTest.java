package dev.graceful.benchmarks.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The 0 B/op target of the adapters' per-request paths, checked on every build with the JVM's count of
 * the bytes each thread allocates (the JMH smoke runs too briefly to say anything): the filter's
 * request, the Tomcat valve's, and what graceful's Netty handlers add to a request through the codec.
 */
class AdapterAllocationTest {

    private static final int REQUESTS = 200_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void theFilterAllocatesNothingPerRequest() throws Exception {
        AdapterPaths.Servlet s = new AdapterPaths.Servlet();
        s.variant = "graceful";
        s.setUp();
        for (int i = 0; i < REQUESTS; i++) { // first calls resolve classes and may allocate; not counted
            s.serve();
        }
        long before = allocated();
        for (int i = 0; i < REQUESTS; i++) {
            s.serve();
        }
        long bytes = allocated() - before;

        s.balanced();
        // Less than one byte per request: one object is at least 16 bytes.
        assertThat(bytes)
                .as("bytes allocated by %d requests through the filter", REQUESTS)
                .isLessThan(REQUESTS);
    }

    @Test
    void theTomcatValveAllocatesNothingPerRequest() throws Exception {
        AdapterPaths.TomcatValve t = new AdapterPaths.TomcatValve();
        t.variant = "graceful";
        t.setUp();
        for (int i = 0; i < REQUESTS; i++) {
            t.serve();
        }
        long before = allocated();
        for (int i = 0; i < REQUESTS; i++) {
            t.serve();
        }
        long bytes = allocated() - before;
        t.probe = true;
        t.serve();

        t.balanced();
        assertThat(t.seenInFlight)
                .as("requests in flight while the application ran")
                .isEqualTo(1);
        assertThat(bytes)
                .as("bytes allocated by %d requests through the valve", REQUESTS)
                .isLessThan(REQUESTS);
    }

    @Test
    void nettysHandlersAddNoAllocationToARequest() {
        double plain = bytesPerRequest("plain");
        double graceful = bytesPerRequest("graceful");

        // Netty's codec allocates per request on both sides; what graceful adds is the difference. The
        // JIT's escape analysis can differ a little between the two pipelines, but never by an object.
        assertThat(graceful - plain)
                .as("B/request with graceful's handlers (%.1f) minus without (%.1f)", graceful, plain)
                .isLessThan(16);
    }

    private static double bytesPerRequest(String variant) {
        AdapterPaths.Netty n = new AdapterPaths.Netty();
        n.variant = variant;
        n.setUp();
        for (int i = 0; i < REQUESTS; i++) {
            n.serve();
        }
        long before = allocated();
        for (int i = 0; i < REQUESTS; i++) {
            n.serve();
        }
        double bytes = (double) (allocated() - before) / REQUESTS;
        n.balanced();
        return bytes;
    }

    private static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
