package dev.graceful.loadgen;

import dev.graceful.loadgen.internal.Http1Connection;
import dev.graceful.loadgen.internal.Recorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives a mixed GET/POST load over kept-alive HTTP/1.1 connections against an example app (or
 * the proxy in front of it) and counts every outcome.
 *
 * <p>Each of {@link Builder#connections(int) connections} workers owns one connection and sends
 * one request at a time on it, paced so that all workers together send
 * {@link Builder#rate(int) rate} requests per second. The mix: {@code POST /work?ms=W} with a
 * body of 16 bytes to 2 KiB ({@link Builder#postPercent(int) postPercent}), then
 * {@code GET /work?ms=W} and {@code GET /} (half of the rest each); {@code W} is up to
 * {@link Builder#work(Duration) work}, and for {@link Builder#slowPercent(int) slowPercent} of the
 * work requests between half and all of {@link Builder#slowWork(Duration) slowWork}, so that a
 * deploy always finds requests in flight.
 *
 * <p>A request that does not end with a complete 2xx response whose body names a version
 * ({@code hello from V}, {@code done V}) is a failure, counted by kind. A connection is reused
 * until the server says {@code Connection: close}, closes it, or an exchange fails. The only
 * request ever sent twice is one HTTP allows a client to send again (see
 * {@link Builder#resend(boolean)}), and those are counted apart.
 *
 * <pre>{@code
 * LoadGenerator load = LoadGenerator.builder().port(8080).rate(200).build().start();
 * deploy();
 * LoadSummary summary = load.stop();
 * }</pre>
 */
public final class LoadGenerator {

    final Builder config;
    final Recorder recorder;
    final AtomicLong issued = new AtomicLong();
    private final List<Thread> workers = new ArrayList<>();
    final CountDownLatch finished;
    final AtomicInteger running = new AtomicInteger();
    final AtomicLong stopNanos = new AtomicLong();
    volatile boolean stopping;
    private long startNanos;
    private LoadSummary summary;

    private LoadGenerator(Builder config) {
        this.config = config;
        this.recorder = new Recorder(config.maxFailureSamples);
        this.finished = new CountDownLatch(config.connections);
    }

    /**
     * Starts configuring a load.
     *
     * @return a builder with the defaults: 127.0.0.1, 8 connections, 200 requests/s, 40% POST,
     *         work up to 20ms, 5% slow work up to 300ms, no request limit, resend on
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the workers.
     *
     * @return this
     * @throws IllegalStateException when already started
     */
    public synchronized LoadGenerator start() {
        if (!workers.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        startNanos = System.nanoTime();
        running.set(config.connections);
        SplittableRandom seeds = new SplittableRandom(config.seed);
        for (int i = 0; i < config.connections; i++) {
            Thread t = new Thread(new Worker(this, i, seeds.split()), "loadgen-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
        return this;
    }

    /** Requests finished so far. */
    public long requests() {
        return recorder.requests();
    }

    /** Failed requests so far. */
    public long failures() {
        return recorder.failures();
    }

    /**
     * Successful requests per version so far.
     *
     * @return version to count
     */
    public Map<String, Long> versions() {
        return recorder.versions();
    }

    /**
     * Waits until every worker has stopped on its own, which happens only with a
     * {@link Builder#maxRequests(long) request limit}.
     *
     * @param atMost how long to wait
     * @return {@code true} when all workers finished
     * @throws InterruptedException when interrupted
     */
    public boolean await(Duration atMost) throws InterruptedException {
        return finished.await(atMost.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops sending: requests in flight are finished and counted (each is bounded by the read
     * timeout), then the connections are closed. Idempotent.
     *
     * @return the summary of the whole run
     * @throws InterruptedException when interrupted while waiting for the workers
     */
    public synchronized LoadSummary stop() throws InterruptedException {
        if (summary != null) {
            return summary;
        }
        stopping = true;
        workers.forEach(LockSupport::unpark);
        long bound = config.readTimeout
                .multipliedBy(2)
                .plus(config.connectTimeout.multipliedBy(2))
                .plus(Http1Connection.CONTINUE_WAIT)
                .plusSeconds(5)
                .toMillis();
        for (Thread t : workers) {
            t.join(bound);
        }
        stopNanos.compareAndSet(0, System.nanoTime());
        summary = recorder.summary(Duration.ofNanos(stopNanos.get() - startNanos));
        return summary;
    }

    /** Configuration of a {@link LoadGenerator}; every setter validates at once. */
    public static final class Builder {
        String host = "127.0.0.1";
        int port = -1;
        int connections = 8;
        int rate = 200;
        int postPercent = 40;
        Duration work = Duration.ofMillis(20);
        int slowPercent = 5;
        Duration slowWork = Duration.ofMillis(300);
        long maxRequests;
        Duration connectTimeout = Duration.ofSeconds(2);
        Duration readTimeout = Duration.ofSeconds(30);
        long seed = System.nanoTime();
        int maxFailureSamples = 20;
        boolean resend = true;

        private Builder() {}

        /** The host to connect to, a name or an address. */
        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank, was '" + host + "'");
            }
            this.host = host;
            return this;
        }

        /** The port to connect to, 1-65535 (required). */
        public Builder port(int port) {
            this.port = range("port", port, 1, 65535);
            return this;
        }

        /** Kept-alive connections, one worker each: 1-1024. */
        public Builder connections(int connections) {
            this.connections = range("connections", connections, 1, 1024);
            return this;
        }

        /** Requests per second over all connections, 0-100000; 0 sends as fast as the responses come. */
        public Builder rate(int rate) {
            this.rate = range("rate", rate, 0, 100_000);
            return this;
        }

        /** Share of {@code POST /work} requests: 0-100. */
        public Builder postPercent(int percent) {
            this.postPercent = range("postPercent", percent, 0, 100);
            return this;
        }

        /** Upper bound of the work a normal {@code /work} request asks for: 0-10s. */
        public Builder work(Duration work) {
            this.work = duration("work", work, Duration.ZERO, Duration.ofSeconds(10));
            return this;
        }

        /** Share of {@code /work} requests that ask for slow work: 0-100. */
        public Builder slowPercent(int percent) {
            this.slowPercent = range("slowPercent", percent, 0, 100);
            return this;
        }

        /** Upper bound of slow work (a slow request asks for half of it up to all of it): 0-60s. */
        public Builder slowWork(Duration slowWork) {
            this.slowWork = duration("slowWork", slowWork, Duration.ZERO, Duration.ofSeconds(60));
            return this;
        }

        /** Stops on its own after this many requests; 0 for no limit. */
        public Builder maxRequests(long maxRequests) {
            if (maxRequests < 0) {
                throw new IllegalArgumentException("maxRequests must be 0 or more, was " + maxRequests);
            }
            this.maxRequests = maxRequests;
            return this;
        }

        /** Bound on each TCP handshake: 1ms-60s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = duration("connectTimeout", timeout, Duration.ofMillis(1), Duration.ofSeconds(60));
            return this;
        }

        /** Bound on each wait for response bytes; a request that exceeds it fails as {@code timeout}: 1ms-10m. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = duration("readTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(10));
            return this;
        }

        /** Seed of the request mix, for a reproducible sequence of requests. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How many failures (and resends) to describe one by one in the summary: 0-10000. */
        public Builder maxFailureSamples(int max) {
            this.maxFailureSamples = range("maxFailureSamples", max, 0, 10_000);
            return this;
        }

        /**
         * Whether to send a request once more, on a new connection, when HTTP allows a client to: it went out on a
         * kept-alive connection that the server closed before any of the response, and it is idempotent ({@code
         * GET}) or provably incomplete (a {@code POST} whose body was still held back waiting for {@code 100
         * Continue}). RFC 9112 section 9.3.1 asks clients to expect such closes, curl and browsers resend in these
         * cases, and nginx causes them on every reload (its old workers close idle kept-alive connections at
         * once). The summary counts resends apart ({@link LoadSummary#resent()}). Off: each is a failure: default
         * {@code true}.
         */
        public Builder resend(boolean resend) {
            this.resend = resend;
            return this;
        }

        /**
         * Builds the generator (not started).
         *
         * @return the generator
         * @throws IllegalStateException when no port was set
         */
        public LoadGenerator build() {
            if (port < 0) {
                throw new IllegalStateException("port must be set");
            }
            return new LoadGenerator(this);
        }

        private static int range(String field, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(
                        field + " must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        }

        private static Duration duration(String field, Duration value, Duration min, Duration max) {
            Objects.requireNonNull(value, field);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(field + " must be between " + min.toMillis() + "ms and "
                        + max.toMillis() + "ms, was " + value.toMillis() + "ms");
            }
            return value;
        }
    }
}
