package dev.graceful.benchmarks.overhead;

import dev.graceful.benchmarks.apps.OneProcess;
import dev.graceful.benchmarks.support.BenchRun;
import dev.graceful.benchmarks.support.Child;
import dev.graceful.testkit.RawHttpConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Group 2's {@code --one-process} pair: one JVM ({@code ServerApp NAME one-process}) that serves the
 * graceful variant on its first port and the plain one on the port it prints, proven to be what they
 * claim before anything is measured.
 */
final class OneProcessPair {

    private static final Pattern IN_FLIGHT = Pattern.compile("\"inFlight\":(\\d+)");
    /** How long the proof holds a request; the health endpoint is polled for most of it. */
    private static final long HELD_MS = 1000;

    private OneProcessPair() {}

    /**
     * Starts the JVM; returns the variants, {@code graceful} and {@code plain}, on their ports. With a
     * {@code valve} (Tomcat), that valve stands on graceful's side and graceful on neither; {@code swapped}
     * (Tomcat, Jetty), graceful's side is on the second connector and the plain one on the example's.
     */
    static Map<String, Child> start(BenchRun run, String app, int fork, String valve, boolean swapped)
            throws Exception {
        String mode = OneProcess.mode(valve, swapped);
        Child first = Child.start(
                OverheadBench.onServerCpus(run),
                run.command(app, mode, false, "5s"),
                run.log(app + "-" + mode + "-fork" + fork + ".log"));
        try {
            Child graceful = swapped ? new Child(first.jvm(), announced(first, OneProcess.GRACEFUL_PORT)) : first;
            Child plain = new Child(first.jvm(), announced(first, OneProcess.PLAIN_PORT));
            if (valve != null) {
                proveBothPlain(app, graceful, plain);
            } else {
                prove(app, graceful, plain);
            }
            return Map.of("graceful", graceful, "plain", plain);
        } catch (Exception | Error e) {
            first.close();
            throw e;
        }
    }

    /** The port the one-process JVM printed after {@code prefix}. */
    private static int announced(Child server, String prefix) throws InterruptedException {
        String line = server.jvm().output().awaitLineStartingWith(prefix, Duration.ofMinutes(1));
        return Integer.parseInt(line.substring(prefix.length()).trim());
    }

    /** Neither port of an experiment's pair serves graceful's health endpoint. */
    private static void proveBothPlain(String app, Child first, Child second) throws IOException {
        int a = first.status("/healthz");
        int b = second.status("/healthz");
        if (a != 404 || b != 404) {
            throw new IllegalStateException(app + " (one process, an experiment): GET /healthz answered " + a + " and "
                    + b + " on its two ports, expected 404 on both: the experiment is not without graceful");
        }
    }

    /**
     * Graceful counts a request held on its own port and never one held on the plain port: its
     * readiness answer's {@code inFlight}, polled while each is held.
     */
    static void prove(String app, Child graceful, Child plain) throws IOException {
        Set<Integer> own = inFlightWhileHeld(graceful, graceful);
        Set<Integer> other = inFlightWhileHeld(plain, graceful);
        if (!own.contains(1) || !other.equals(Set.of(0))) {
            throw new IllegalStateException(app + " (one process): graceful's inFlight was " + own
                    + " while a request was held on its port and " + other
                    + " while one was held on the plain port; expected 1 among the first and only 0 in the second");
        }
    }

    /** The {@code inFlight} figures graceful's health endpoint gave while one {@code /work} request was held on {@code held}. */
    private static Set<Integer> inFlightWhileHeld(Child held, Child graceful) throws IOException {
        // A request answered just before may still be counted: its response reaches the client before
        // the adapter's exit runs (after an asynchronous cycle, on another thread).
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inFlight(graceful) != 0) {
            if (System.nanoTime() > settle) {
                throw new IllegalStateException("graceful's inFlight did not come back to 0 within 10 s");
            }
        }
        Set<Integer> seen = new TreeSet<>();
        try (RawHttpConnection slow = RawHttpConnection.open(held.port())) {
            slow.send("GET", "/work?ms=" + HELD_MS, null);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HELD_MS * 8 / 10);
            while (System.nanoTime() < end) {
                seen.add(inFlight(graceful));
            }
            int status = slow.read().status();
            if (status != 200) {
                throw new IllegalStateException("GET /work on port " + held.port() + " answered " + status);
            }
        }
        return seen;
    }

    private static int inFlight(Child graceful) throws IOException {
        try (RawHttpConnection c = RawHttpConnection.open(graceful.port())) {
            c.send("GET", "/healthz", null);
            RawHttpConnection.Response r = c.read();
            Matcher m = IN_FLIGHT.matcher(r.body());
            if (r.status() != 200 || !m.find()) {
                throw new IllegalStateException(
                        "GET /healthz on the graceful port answered " + r.status() + ": " + r.body());
            }
            return Integer.parseInt(m.group(1));
        }
    }
}
