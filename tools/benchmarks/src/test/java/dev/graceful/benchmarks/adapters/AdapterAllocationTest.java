package dev.graceful.benchmarks.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        // Jetty allocates per request on both sides (its request, its servlet request); what graceful
        // adds is the difference. Measured in a JVM without escape analysis: with it, what the JIT
        // removed of Jetty's own objects moved by 16 B either way with graceful's frame in Jetty's
        // call chain (its inlining differs), on Java 17 and 25 alike; without it, every object either
        // path makes is counted, graceful's included.
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:-DoEscapeAnalysis",
                        "-cp",
                        System.getProperty("java.class.path"),
                        AdapterAllocationTest.class.getName())
                .redirectErrorStream(true)
                .start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        Matcher m = Pattern.compile("plain=([0-9.]+) graceful=([0-9.]+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        double plain = Double.parseDouble(m.group(1));
        double graceful = Double.parseDouble(m.group(2));

        assertThat(graceful - plain)
                .as("B/request with graceful's handler (%.1f) minus without (%.1f)", graceful, plain)
                .isLessThan(1);
    }

    /** The Jetty measurement, in the child JVM: prints the fewest bytes per request over batches, each variant. */
    public static void main(String[] args) throws Exception {
        AdapterPaths.JettyHandler plain = jetty("plain");
        AdapterPaths.JettyHandler graceful = jetty("graceful");
        double fewestPlain = Double.MAX_VALUE;
        double fewestGraceful = Double.MAX_VALUE;
        for (int batch = 0; batch < 3; batch++) {
            fewestPlain = Math.min(fewestPlain, (double) allocatedServing(plain::serve) / REQUESTS);
            fewestGraceful = Math.min(fewestGraceful, (double) allocatedServing(graceful::serve) / REQUESTS);
        }
        plain.balanced();
        graceful.balanced();
        System.out.println("plain=" + fewestPlain + " graceful=" + fewestGraceful);
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

    private static AdapterPaths.JettyHandler jetty(String variant) throws Exception {
        AdapterPaths.JettyHandler j = new AdapterPaths.JettyHandler();
        j.variant = variant;
        j.setUp();
        return j;
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
