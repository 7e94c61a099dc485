package dev.graceful.loadgen;

import dev.graceful.loadgen.internal.Http1Connection;
import dev.graceful.loadgen.internal.Http1Connection.ExchangeException;
import dev.graceful.loadgen.internal.Http1Connection.Reply;
import dev.graceful.loadgen.internal.LongList;
import dev.graceful.loadgen.internal.Recorder;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One connection's share of a {@link LoadGenerator}'s load: paces its requests, picks each from the
 * mix, sends it (once more when HTTP allows it) and records the outcome.
 */
final class Worker implements Runnable {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final LoadGenerator load;
    private final LoadGenerator.Builder config;
    private final Recorder recorder;
    private final int id;
    private final SplittableRandom random;
    private final LongList latencies = new LongList();
    private final byte[] payload = new byte[2048];
    private Http1Connection connection;

    Worker(LoadGenerator load, int id, SplittableRandom random) {
        this.load = load;
        this.config = load.config;
        this.recorder = load.recorder;
        this.id = id;
        this.random = random;
        Arrays.fill(payload, (byte) 'x');
    }

    @Override
    public void run() {
        long interval = config.rate == 0 ? 0 : TimeUnit.SECONDS.toNanos(config.connections) / config.rate;
        // Spread the workers' first requests over one interval instead of a burst.
        long next = System.nanoTime() + (interval == 0 ? 0 : interval * id / config.connections);
        try {
            while (!load.stopping) {
                if (interval > 0) {
                    long wait;
                    while (!load.stopping && (wait = next - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    // Behind schedule (a slow target): carry on from now rather than burst to catch up.
                    next = Math.max(next + interval, System.nanoTime());
                }
                if (load.stopping || (config.maxRequests > 0 && load.issued.incrementAndGet() > config.maxRequests)) {
                    break;
                }
                exchangeOnce();
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
            recorder.latencies(latencies.toArray());
            if (load.running.decrementAndGet() == 0) {
                load.stopNanos.compareAndSet(0, System.nanoTime());
            }
            load.finished.countDown();
        }
    }

    private void exchangeOnce() {
        int pick = random.nextInt(100);
        boolean post = pick < config.postPercent;
        boolean work = post || pick < config.postPercent + (100 - config.postPercent) / 2;
        String target = "/";
        byte[] body = null;
        if (work) {
            long ms = random.nextInt(100) < config.slowPercent
                    ? config.slowWork.toMillis() / 2 + random.nextLong(config.slowWork.toMillis() / 2 + 1)
                    : random.nextLong(config.work.toMillis() + 1);
            target = "/work?ms=" + ms;
        }
        if (post) {
            body = Arrays.copyOf(payload, 16 + random.nextInt(payload.length - 16));
        }
        String method = post ? "POST" : "GET";
        long t0 = System.nanoTime();
        Reply reply = null;
        for (int attempt = 0; reply == null; attempt++) {
            try {
                if (connection != null && connection.isStale()) {
                    connection.close();
                    connection = null;
                    recorder.staleConnection();
                }
                if (connection == null) {
                    connection =
                            Http1Connection.open(config.host, config.port, config.connectTimeout, config.readTimeout);
                }
                reply = connection.exchange(method, target, body);
                if (reply.close()) {
                    connection.close();
                    connection = null;
                }
            } catch (ExchangeException e) {
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
                if (attempt == 0 && config.resend && e.resendable()) {
                    recorder.resent(post, describe(method, target, e.getMessage()));
                    continue;
                }
                recorder.failure(post, e.kind(), describe(method, target, e.getMessage()));
                return;
            }
        }
        String version = versionOf(reply.body());
        if (reply.status() / 100 != 2) {
            recorder.failure(
                    post,
                    "http-" + reply.status(),
                    describe(method, target, "status " + reply.status() + " " + shorten(reply.body())));
        } else if (version == null) {
            recorder.failure(post, "unexpected-body", describe(method, target, "body " + shorten(reply.body())));
        } else {
            latencies.add((System.nanoTime() - t0) / 1000);
            recorder.success(post, version);
        }
    }

    private String describe(String method, String target, String what) {
        return LocalTime.now().format(CLOCK) + " " + method + " " + target + ": " + what;
    }

    /** The version named by a contract body ({@code hello from V}, {@code done V}), or {@code null}. */
    static String versionOf(String body) {
        String b = body.strip();
        String v = null;
        if (b.startsWith("hello from ")) {
            v = b.substring("hello from ".length());
        } else if (b.startsWith("done ")) {
            v = b.substring("done ".length());
        }
        return v == null || v.isBlank() || v.indexOf(' ') >= 0 ? null : v;
    }

    private static String shorten(String s) {
        String oneLine = s.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
