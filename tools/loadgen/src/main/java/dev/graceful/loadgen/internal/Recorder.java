package dev.graceful.loadgen.internal;

import dev.graceful.loadgen.LoadSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts outcomes from many worker threads: totals readable at any time (for progress lines),
 * latencies kept per worker and merged once at the end.
 */
public final class Recorder {

    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder gets = new LongAdder();
    private final LongAdder posts = new LongAdder();
    private final LongAdder staleConnections = new LongAdder();
    private final LongAdder resentGets = new LongAdder();
    private final LongAdder resentPosts = new LongAdder();
    private final Map<String, LongAdder> versions = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failureKinds = new ConcurrentHashMap<>();
    private final Samples failureSamples;
    private final Samples resendSamples;
    private final List<long[]> latencyParts = new ArrayList<>();

    /**
     * Creates a recorder.
     *
     * @param maxSamples how many failures (and resends) to describe one by one
     */
    public Recorder(int maxSamples) {
        this.failureSamples = new Samples(maxSamples);
        this.resendSamples = new Samples(maxSamples);
    }

    /**
     * Records a successful request.
     *
     * @param post    whether it was a POST
     * @param version the version named by the response body
     */
    public void success(boolean post, String version) {
        (post ? posts : gets).increment();
        versions.computeIfAbsent(version, v -> new LongAdder()).increment();
        requests.increment();
    }

    /**
     * Records a failed request.
     *
     * @param post        whether it was a POST
     * @param kind        how it failed
     * @param description one line for the samples
     */
    public void failure(boolean post, String kind, String description) {
        (post ? posts : gets).increment();
        failureKinds.computeIfAbsent(kind, v -> new LongAdder()).increment();
        failures.increment();
        requests.increment();
        failureSamples.add(description);
    }

    /**
     * Records a request that is sent once more on a new connection (see the load generator's
     * resend rule); its outcome is recorded later like any other.
     *
     * @param post        whether it is a POST
     * @param description one line for the samples
     */
    public void resent(boolean post, String description) {
        (post ? resentPosts : resentGets).increment();
        resendSamples.add(description);
    }

    /** Counts a kept-alive connection found closed by the server before a request was sent on it. */
    public void staleConnection() {
        staleConnections.increment();
    }

    /**
     * Hands over one worker's latencies (microseconds of successful requests) when it stops.
     *
     * @param micros the latencies
     */
    public synchronized void latencies(long[] micros) {
        latencyParts.add(micros);
    }

    /** Requests finished so far (successful or not). */
    public long requests() {
        return requests.sum();
    }

    /** Failed requests so far. */
    public long failures() {
        return failures.sum();
    }

    /**
     * Successful requests per version so far, sorted by version.
     *
     * @return version to count
     */
    public Map<String, Long> versions() {
        return snapshot(versions);
    }

    /** Everything recorded, as the summary of a run that took {@code elapsed}. */
    public synchronized LoadSummary summary(Duration elapsed) {
        long[] sorted = latencyParts.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(sorted);
        return new LoadSummary(
                requests.sum(),
                failures.sum(),
                gets.sum(),
                posts.sum(),
                resentGets.sum(),
                resentPosts.sum(),
                staleConnections.sum(),
                snapshot(versions),
                snapshot(failureKinds),
                percentile(sorted, 50),
                percentile(sorted, 99),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000.0,
                elapsed,
                failureSamples.list(),
                resendSamples.list());
    }

    /** Nearest-rank percentile of sorted microseconds, in milliseconds; 0 when empty. */
    public static double percentile(long[] sortedMicros, int p) {
        if (sortedMicros.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedMicros.length);
        return sortedMicros[Math.max(0, rank - 1)] / 1000.0;
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The first few lines of something. */
    private static final class Samples {
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        private final AtomicInteger count = new AtomicInteger();
        private final int max;

        Samples(int max) {
            this.max = max;
        }

        void add(String line) {
            if (count.getAndIncrement() < max) {
                lines.add(line);
            }
        }

        List<String> list() {
            return List.copyOf(lines);
        }
    }
}
