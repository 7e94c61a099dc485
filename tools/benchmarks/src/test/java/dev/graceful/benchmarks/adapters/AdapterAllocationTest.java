package dev.graceful.benchmarks.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The 0 B/op target of the adapters' per-request paths, checked on every build with the JVM's count of
 * the bytes each thread allocates (the JMH smoke runs too briefly to say anything): the filter's
 * request, the Tomcat valve's, and what graceful's Jetty handler and Netty handlers add to a request
 * through their server.
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
        long bytes = allocatedServing(s::serve);

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
        long bytes = allocatedServing(t::serve);
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
    void theJettyHandlerAddsNoAllocationToARequest() throws Exception {
        double plain = jettyBytesPerRequest("plain");
        double graceful = jettyBytesPerRequest("graceful");

        // Jetty allocates per request on both sides (its request, its servlet request); what graceful adds
        // is the difference, which escape analysis may move a little, but never by an object.
        assertThat(graceful - plain)
                .as("B/request with graceful's handler (%.1f) minus without (%.1f)", graceful, plain)
                .isLessThan(16);
    }

    @Test
    void theJettyHandlerCountsEachRequestWhileTheApplicationRuns() throws Exception {
        AdapterPaths.JettyHandler j = new AdapterPaths.JettyHandler();
        j.variant = "graceful";
        j.setUp(true);
        j.serve();
        j.serve();

        j.balanced();
        assertThat(j.exchange.seenInFlight)
                .as("requests in flight while the application ran")
                .isEqualTo(1);
    }

    private static double jettyBytesPerRequest(String variant) throws Exception {
        AdapterPaths.JettyHandler j = new AdapterPaths.JettyHandler();
        j.variant = variant;
        j.setUp();
        double bytes = (double) allocatedServing(j::serve) / REQUESTS;
        j.balanced();
        return bytes;
    }

    @Test
    void nettysHandlersAddNoAllocationToARequest() throws Exception {
        double plain = bytesPerRequest("plain");
        double graceful = bytesPerRequest("graceful");

        // Netty's codec allocates per request on both sides; what graceful adds is the difference. The
        // JIT's escape analysis can differ a little between the two pipelines, but never by an object.
        assertThat(graceful - plain)
                .as("B/request with graceful's handlers (%.1f) minus without (%.1f)", graceful, plain)
                .isLessThan(16);
    }

    private static double bytesPerRequest(String variant) throws Exception {
        AdapterPaths.Netty n = new AdapterPaths.Netty();
        n.variant = variant;
        n.setUp();
        double bytes = (double) allocatedServing(n::serve) / REQUESTS;
        n.balanced();
        return bytes;
    }

    /** Bytes this thread allocates serving {@link #REQUESTS} requests, after as many not counted. */
    private static long allocatedServing(Request request) throws Exception {
        for (int i = 0; i < REQUESTS; i++) { // first calls resolve classes and may allocate; not counted
            request.serve();
        }
        long before = allocated();
        for (int i = 0; i < REQUESTS; i++) {
            request.serve();
        }
        return allocated() - before;
    }

    /** One request through a prepared path. */
    private interface Request {
        void serve() throws Exception;
    }

    private static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
