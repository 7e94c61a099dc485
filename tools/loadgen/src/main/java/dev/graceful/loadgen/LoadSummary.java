package dev.graceful.loadgen;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a load run saw: requests, failures by kind, successes per version, latency percentiles.
 * {@link #toProperties()} is the machine-readable form (one {@code key=value} per line, stable
 * keys, readable with {@code grep} in a script and with {@link #parse(String)}).
 *
 * @param requests requests finished, successful or not (a request sent once more counts once)
 * @param failures requests that failed: a status other than 2xx, a refused connection, a reset, a close
 *     before the whole response, a timeout, or a 2xx whose body names no version
 * @param gets GET requests (successful or not)
 * @param posts POST requests (successful or not)
 * @param resentGets GET requests sent once more (see {@link #resent()})
 * @param resentPosts POST requests sent once more (their body had never been sent)
 * @param staleConnections kept-alive connections found closed by the server before a request was written
 *     on them (nothing had been sent, so nothing was retried: a new connection was opened)
 * @param versions successful requests per version named in the body ({@code hello from V}, {@code done V}),
 *     sorted by version
 * @param failureKinds failed requests per kind ({@code http-502}, {@code refused},
 *     {@code reset-before-response}, ...), sorted by kind
 * @param p50Millis median latency of successful requests
 * @param p99Millis 99th percentile latency of successful requests
 * @param maxMillis highest latency of a successful request
 * @param elapsed how long the run took
 * @param failureSamples the first failures, one line each (when, what, how)
 * @param resendSamples the first resends, one line each
 */
public record LoadSummary(
        long requests,
        long failures,
        long gets,
        long posts,
        long resentGets,
        long resentPosts,
        long staleConnections,
        Map<String, Long> versions,
        Map<String, Long> failureKinds,
        double p50Millis,
        double p99Millis,
        double maxMillis,
        Duration elapsed,
        List<String> failureSamples,
        List<String> resendSamples) {

    /** Copies the maps (sorted) and the lists, unmodifiable. */
    public LoadSummary {
        versions = Collections.unmodifiableSortedMap(new TreeMap<>(versions));
        failureKinds = Collections.unmodifiableSortedMap(new TreeMap<>(failureKinds));
        failureSamples = List.copyOf(failureSamples);
        resendSamples = List.copyOf(resendSamples);
    }

    /**
     * Requests sent once more on a new connection because the server (nginx, when it reloads) closed a kept-alive
     * connection without answering them, where HTTP allows it (see {@link LoadGenerator.Builder#resend(boolean)}).
     * Each is counted once in {@link #requests()}, as a success or a failure by its final outcome.
     */
    public long resent() {
        return resentGets + resentPosts;
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
        m.put("requests", Long.toString(requests));
        m.put("failures", Long.toString(failures));
        m.put("get", Long.toString(gets));
        m.put("post", Long.toString(posts));
        m.put("resent.get", Long.toString(resentGets));
        m.put("resent.post", Long.toString(resentPosts));
        m.put("stale.connections", Long.toString(staleConnections));
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
        return new LoadSummary(
                number(p, "requests"),
                number(p, "failures"),
                number(p, "get"),
                number(p, "post"),
                number(p, "resent.get"),
                number(p, "resent.post"),
                number(p, "stale.connections"),
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
                requests,
                gets,
                posts,
                elapsed.toMillis() / 1000.0,
                failures));
        sb.append("per version:");
        versions.forEach((v, n) -> sb.append(' ').append(v).append('=').append(n));
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
                    resentGets,
                    resentPosts));
        }
        if (!failureKinds.isEmpty()) {
            sb.append("failures by kind:");
            failureKinds.forEach((k, n) -> sb.append(' ').append(k).append('=').append(n));
            sb.append(nl);
            failureSamples.forEach(s -> sb.append("  ").append(s).append(nl));
        }
        return sb.toString();
    }
}
