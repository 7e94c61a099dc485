package dev.graceful.loadgen;

import dev.graceful.loadgen.internal.Recorder;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a load run saw: requests, failures by kind, successes per version, latency percentiles.
 * {@link #toProperties()} is the machine-readable form (one {@code key=value} per line, stable
 * keys, readable with {@code grep} in a script and with {@link #parse(String)}).
 */
public final class LoadSummary {

    private final Counts counts;
    private final Map<String, Long> versions;
    private final Map<String, Long> failureKinds;
    private final double p50Millis;
    private final double p99Millis;
    private final double maxMillis;
    private final Duration elapsed;
    private final List<String> failureSamples;
    private final List<String> resendSamples;

    /** The plain counters, grouped to keep the constructor readable. */
    private record Counts(
            long requests,
            long failures,
            long gets,
            long posts,
            long resentGets,
            long resentPosts,
            long staleConnections) {}

    private LoadSummary(
            Counts counts,
            Map<String, Long> versions,
            Map<String, Long> failureKinds,
            double p50Millis,
            double p99Millis,
            double maxMillis,
            Duration elapsed,
            List<String> failureSamples,
            List<String> resendSamples) {
        this.counts = counts;
        this.versions = Map.copyOf(versions);
        this.failureKinds = Map.copyOf(failureKinds);
        this.p50Millis = p50Millis;
        this.p99Millis = p99Millis;
        this.maxMillis = maxMillis;
        this.elapsed = elapsed;
        this.failureSamples = List.copyOf(failureSamples);
        this.resendSamples = List.copyOf(resendSamples);
    }

    static LoadSummary of(Recorder r, Duration elapsed) {
        long[] sorted = r.sortedLatencies();
        return new LoadSummary(
                new Counts(
                        r.requests(),
                        r.failures(),
                        r.gets(),
                        r.posts(),
                        r.resentGets(),
                        r.resentPosts(),
                        r.staleConnections()),
                r.versions(),
                r.failureKinds(),
                percentile(sorted, 50),
                percentile(sorted, 99),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000.0,
                elapsed,
                r.failureSamples(),
                r.resendSamples());
    }

    /** Nearest-rank percentile of sorted microseconds, in milliseconds; 0 when empty. */
    static double percentile(long[] sortedMicros, int p) {
        if (sortedMicros.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedMicros.length);
        return sortedMicros[Math.max(0, rank - 1)] / 1000.0;
    }

    /** Requests finished, successful or not (a request sent once more counts once). */
    public long requests() {
        return counts.requests;
    }

    /**
     * Requests that failed: a status other than 2xx, a refused connection, a reset, a close before the whole
     * response, a timeout, or a 2xx whose body names no version.
     */
    public long failures() {
        return counts.failures;
    }

    /** GET requests (successful or not). */
    public long gets() {
        return counts.gets;
    }

    /** POST requests (successful or not). */
    public long posts() {
        return counts.posts;
    }

    /**
     * Successful requests per version named in the body ({@code hello from V}, {@code done V}).
     *
     * @return version to count, sorted by version
     */
    public Map<String, Long> versions() {
        return new TreeMap<>(versions);
    }

    /**
     * Failed requests per kind ({@code http-502}, {@code refused}, {@code reset-before-response}, ...).
     *
     * @return kind to count, sorted by kind
     */
    public Map<String, Long> failureKinds() {
        return new TreeMap<>(failureKinds);
    }

    /**
     * Requests sent once more on a new connection because the server (nginx, when it reloads) closed a kept-alive
     * connection without answering them, where HTTP allows it (see {@link LoadGenerator.Builder#resend(boolean)}).
     * Each is counted once in {@link #requests()}, as a success or a failure by its final outcome.
     */
    public long resent() {
        return counts.resentGets + counts.resentPosts;
    }

    /** GET requests sent once more. */
    public long resentGets() {
        return counts.resentGets;
    }

    /** POST requests sent once more (their body had never been sent). */
    public long resentPosts() {
        return counts.resentPosts;
    }

    /**
     * Kept-alive connections found closed by the server before a request was written on them (nothing had been
     * sent, so nothing was retried: a new connection was opened).
     */
    public long staleConnections() {
        return counts.staleConnections;
    }

    /** Median latency of successful requests. */
    public double p50Millis() {
        return p50Millis;
    }

    /** 99th percentile latency of successful requests. */
    public double p99Millis() {
        return p99Millis;
    }

    /** Highest latency of a successful request. */
    public double maxMillis() {
        return maxMillis;
    }

    /** How long the run took. */
    public Duration elapsed() {
        return elapsed;
    }

    /** The first failures, one line each (when, what, how). */
    public List<String> failureSamples() {
        return failureSamples;
    }

    /** The first resends, one line each. */
    public List<String> resendSamples() {
        return resendSamples;
    }

    /**
     * The machine-readable form: {@code requests}, {@code failures}, {@code get}, {@code post},
     * {@code elapsed.ms}, {@code latency.p50.ms}, {@code latency.p99.ms}, {@code latency.max.ms},
     * {@code resent.get}, {@code resent.post}, {@code stale.connections}, {@code version.V} per
     * version and {@code failure.KIND} per failure kind.
     *
     * @return lines of {@code key=value}, sorted by key
     */
    public String toProperties() {
        Map<String, String> m = new TreeMap<>();
        m.put("requests", Long.toString(counts.requests));
        m.put("failures", Long.toString(counts.failures));
        m.put("get", Long.toString(counts.gets));
        m.put("post", Long.toString(counts.posts));
        m.put("resent.get", Long.toString(counts.resentGets));
        m.put("resent.post", Long.toString(counts.resentPosts));
        m.put("stale.connections", Long.toString(counts.staleConnections));
        m.put("elapsed.ms", Long.toString(elapsed.toMillis()));
        m.put("latency.p50.ms", fmt(p50Millis));
        m.put("latency.p99.ms", fmt(p99Millis));
        m.put("latency.max.ms", fmt(maxMillis));
        versions.forEach((v, n) -> m.put("version." + v, Long.toString(n)));
        failureKinds.forEach((k, n) -> m.put("failure." + k, Long.toString(n)));
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    /**
     * Reads what {@link #toProperties()} wrote (the samples are not part of it).
     *
     * @param properties the text
     * @return the summary
     * @throws IllegalArgumentException naming the key when a value is missing or malformed
     */
    public static LoadSummary parse(String properties) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(properties));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Long> versions = new TreeMap<>();
        Map<String, Long> kinds = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("version.")) {
                versions.put(key.substring("version.".length()), number(p, key));
            } else if (key.startsWith("failure.")) {
                kinds.put(key.substring("failure.".length()), number(p, key));
            }
        }
        Counts counts = new Counts(
                number(p, "requests"),
                number(p, "failures"),
                number(p, "get"),
                number(p, "post"),
                number(p, "resent.get"),
                number(p, "resent.post"),
                number(p, "stale.connections"));
        return new LoadSummary(
                counts,
                versions,
                kinds,
                decimal(p, "latency.p50.ms"),
                decimal(p, "latency.p99.ms"),
                decimal(p, "latency.max.ms"),
                Duration.ofMillis(number(p, "elapsed.ms")),
                List.of(),
                List.of());
    }

    /**
     * Reads a summary file written with {@link #toProperties()}.
     *
     * @param file the file
     * @return the summary
     * @throws IOException when it cannot be read
     */
    public static LoadSummary read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.ISO_8859_1));
    }

    private static long number(Properties p, String key) {
        String v = p.getProperty(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("summary key " + key + " must be a whole number, was " + v);
        }
    }

    private static double decimal(Properties p, String key) {
        String v = p.getProperty(key);
        try {
            return Double.parseDouble(v);
        } catch (NullPointerException | NumberFormatException e) {
            throw new IllegalArgumentException("summary key " + key + " must be a number, was " + v);
        }
    }

    private static String fmt(double millis) {
        return String.format(Locale.ROOT, "%.1f", millis);
    }

    /**
     * The human-readable form: a few lines, with failure kinds, resends and samples.
     *
     * @return the text
     */
    @Override
    public String toString() {
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%d requests (%d GET, %d POST) in %.1fs, %d failed%n",
                counts.requests,
                counts.gets,
                counts.posts,
                elapsed.toMillis() / 1000.0,
                counts.failures));
        sb.append("per version:");
        new TreeMap<>(versions)
                .forEach((v, n) -> sb.append(' ').append(v).append('=').append(n));
        sb.append(nl)
                .append("latency: p50 ")
                .append(fmt(p50Millis))
                .append(" ms, p99 ")
                .append(fmt(p99Millis))
                .append(" ms, max ")
                .append(fmt(maxMillis))
                .append(" ms")
                .append(nl);
        if (resent() > 0) {
            sb.append(String.format(
                    Locale.ROOT,
                    "sent once more after a kept-alive connection was closed unanswered: %d GET, %d POST (body not yet sent)%n",
                    counts.resentGets,
                    counts.resentPosts));
        }
        if (!failureKinds.isEmpty()) {
            sb.append("failures by kind:");
            new TreeMap<>(failureKinds)
                    .forEach((k, n) -> sb.append(' ').append(k).append('=').append(n));
            sb.append(nl);
            failureSamples.forEach(s -> sb.append("  ").append(s).append(nl));
        }
        return sb.toString();
    }
}
