package dev.graceful.benchmarks.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import dev.graceful.Tracker;
import dev.graceful.grpc.internal.CallTracking;
import dev.graceful.grpc.internal.WatchStreams;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * graceful-grpc's allocation per call, exactly, on every build: the JVM counts each thread's
 * bytes, so the call's life of {@link InterceptorBench} through graceful's interceptor is compared
 * with the same life without it. graceful allocates one object per call (the listener that counts
 * the call out, 40 bytes with compressed oops); a second object or a formatted description fails.
 */
class GrpcCallAllocationTest {

    private static final int CALLS = 1_000_000;

    @Test
    void trackingACallAllocatesOneSmallObjectAndFormatsNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Tracker tracker = GracefulShutdown.create().tracker("grpc");
        ServerCall.Listener<String> app = new ServerCall.Listener<>() {};
        ServerCallHandler<String, String> plain = (c, h) -> app;
        ServerCallHandler<String, String> graceful =
                InterceptorBench.intercepted(plain, new CallTracking(tracker, new WatchStreams()));
        ServerCall<String, String> call = new InterceptorBench.NoCall();
        Metadata headers = new Metadata();
        long id = Thread.currentThread().getId();

        run(plain, call, headers);
        run(graceful, call, headers); // first calls load classes; not counted
        long before = threads.getThreadAllocatedBytes(id);
        run(plain, call, headers);
        long plainBytes = threads.getThreadAllocatedBytes(id) - before;
        before = threads.getThreadAllocatedBytes(id);
        run(graceful, call, headers);
        long gracefulBytes = threads.getThreadAllocatedBytes(id) - before;

        double perCall = (gracefulBytes - plainBytes) / (double) CALLS;
        System.out.printf("graceful-grpc allocates %.1f bytes per call beyond the plain handler%n", perCall);
        assertThat(tracker.inFlight()).isZero();
        assertThat(perCall).as("bytes per call graceful adds").isLessThanOrEqualTo(48);
    }

    private static void run(ServerCallHandler<String, String> handler, ServerCall<String, String> call, Metadata h) {
        for (int i = 0; i < CALLS; i++) {
            InterceptorBench.oneCall(handler, call, h);
        }
    }
}
