package dev.graceful.benchmarks.grpc;

import com.google.protobuf.DynamicMessage;
import dev.graceful.GracefulShutdown;
import dev.graceful.examples.grpc.GrpcExample;
import dev.graceful.examples.grpc.WorkProto;
import dev.graceful.grpc.GracefulGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC example's {@code Do(ms=0)} throughput and latency, with and without graceful-grpc, in
 * alternating rounds in one JVM (server and client share it, and the machine's two cores):
 * {@code CONCURRENCY} calls kept outstanding over one channel for {@code seconds} after a warm-up
 * as long, after one discarded round of each.
 *
 * <p>Usage: {@code GrpcThroughput [rounds] [seconds]} (default 3 rounds of 5 s).
 */
public final class GrpcThroughput {

    private static final int CONCURRENCY = 32;

    private GrpcThroughput() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "work-timer");
            t.setDaemon(true);
            return t;
        });
        // A discarded round of each first: the first servers in a JVM run while it still compiles.
        measure(false, seconds, timer);
        measure(true, seconds, timer);
        double[] sums = new double[2];
        System.out.println("| round | server | calls/s | p50 µs | p99 µs | load average (1 min) |");
        System.out.println("|---|---|---|---|---|---|");
        for (int round = 1; round <= rounds; round++) {
            // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
            boolean gracefulFirst = round % 2 == 0;
            for (int i = 0; i < 2; i++) {
                boolean withGraceful = gracefulFirst == (i == 0);
                Result r = measure(withGraceful, seconds, timer);
                sums[withGraceful ? 1 : 0] += r.callsPerSecond;
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %s | %.0f | %d | %d | %.2f |%n",
                        round,
                        withGraceful ? "graceful" : "plain",
                        r.callsPerSecond,
                        r.p50Micros,
                        r.p99Micros,
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
        }
        System.out.printf(Locale.ROOT, "%nThroughput with graceful / without, all rounds: %.3fx%n", sums[1] / sums[0]);
    }

    record Result(double callsPerSecond, long p50Micros, long p99Micros) {}

    static Result measure(boolean withGraceful, int seconds, ScheduledExecutorService timer) throws Exception {
        var builder = GrpcExample.builder(0, "bench", timer);
        GracefulShutdown graceful = GracefulShutdown.create();
        Server server = (withGraceful ? GracefulGrpc.attach(graceful, builder) : builder.build()).start();
        graceful.markReady();
        int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
        ManagedChannel channel =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            run(channel, seconds, new long[1 << 16]); // warm-up: as long as the measurement
            long[] latencies = new long[1 << 22];
            long started = System.nanoTime();
            int n = run(channel, seconds, latencies);
            double elapsed = (System.nanoTime() - started) / 1e9;
            int kept = Math.min(n, latencies.length);
            long[] sorted = Arrays.copyOf(latencies, kept);
            Arrays.sort(sorted);
            return new Result(
                    n / elapsed,
                    sorted[(int) (kept * 0.50)] / 1000,
                    sorted[Math.min(kept - 1, (int) (kept * 0.99))] / 1000);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Keeps CONCURRENCY calls outstanding until {@code seconds} have passed; returns how many completed. */
    private static int run(ManagedChannel channel, int seconds, long[] latencies) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicInteger done = new AtomicInteger();
        AtomicInteger outstanding = new AtomicInteger(CONCURRENCY);
        DynamicMessage request = WorkProto.doRequest(0, "x");
        Object finished = new Object();
        for (int i = 0; i < CONCURRENCY; i++) {
            next(channel, request, end, done, outstanding, latencies, finished);
        }
        synchronized (finished) {
            while (outstanding.get() > 0) {
                finished.wait(100);
            }
        }
        return done.get();
    }

    private static void next(
            ManagedChannel channel,
            DynamicMessage request,
            long end,
            AtomicInteger done,
            AtomicInteger outstanding,
            long[] latencies,
            Object finished) {
        long start = System.nanoTime();
        if (start >= end) {
            if (outstanding.decrementAndGet() == 0) {
                synchronized (finished) {
                    finished.notifyAll();
                }
            }
            return;
        }
        ClientCalls.asyncUnaryCall(
                channel.newCall(WorkProto.DO, CallOptions.DEFAULT), request, new StreamObserver<DynamicMessage>() {
                    @Override
                    public void onNext(DynamicMessage value) {}

                    @Override
                    public void onError(Throwable t) {
                        throw new IllegalStateException("a benchmark call failed", t);
                    }

                    @Override
                    public void onCompleted() {
                        int i = done.getAndIncrement();
                        if (i < latencies.length) {
                            latencies[i] = System.nanoTime() - start;
                        }
                        next(channel, request, end, done, outstanding, latencies, finished);
                    }
                });
    }
}
