package dev.graceful.loadgen.internal;

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

    /** GET requests so far. */
    public long gets() {
        return gets.sum();
    }

    /** POST requests so far. */
    public long posts() {
        return posts.sum();
    }

    /** GET requests sent once more. */
    public long resentGets() {
        return resentGets.sum();
    }

    /** POST requests sent once more (their body had not been sent). */
    public long resentPosts() {
        return resentPosts.sum();
    }

    /** Kept-alive connections found closed by the server before a request was sent on them. */
    public long staleConnections() {
        return staleConnections.sum();
    }

    /**
     * Successful requests per version so far, sorted by version.
     *
     * @return version to count
     */
    public Map<String, Long> versions() {
        return snapshot(versions);
    }

    /**
     * Failed requests per kind so far, sorted by kind.
     *
     * @return kind to count
     */
    public Map<String, Long> failureKinds() {
        return snapshot(failureKinds);
    }

    /**
     * The described failures (at most the configured number), in the order they happened.
     *
     * @return one line each
     */
    public List<String> failureSamples() {
        return failureSamples.list();
    }

    /**
     * The described resends (at most the configured number).
     *
     * @return one line each
     */
    public List<String> resendSamples() {
        return resendSamples.list();
    }

    /**
     * All latencies handed over, sorted.
     *
     * @return microseconds, ascending
     */
    public synchronized long[] sortedLatencies() {
        long[] all = latencyParts.stream().flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(all);
        return all;
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
