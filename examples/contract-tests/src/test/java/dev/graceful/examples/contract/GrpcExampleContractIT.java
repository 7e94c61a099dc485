package dev.graceful.examples.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.DynamicMessage;
import dev.graceful.examples.grpc.WorkProto;
import dev.graceful.grpc.kit.KitClient;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Holds {@code examples/bin/run grpc} to the gRPC example's contract (examples/README.md) as a real
 * process with real signals, through a grpc-java client.
 */
class GrpcExampleContractIT {

    private static final Duration AT_MOST = Duration.ofSeconds(60);
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private ManagedChannel channel(int port) {
        ManagedChannel c =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        channels.add(c);
        return c;
    }

    private ExampleProcess start(String scenario, String... options) throws Exception {
        return ExampleProcess.start("grpc", scenario, port -> check(port, "") == ServingStatus.SERVING, options);
    }

    private ServingStatus check(int port, String service) {
        ManagedChannel c =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            return HealthGrpc.newBlockingStub(c)
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build())
                    .getStatus();
        } catch (StatusRuntimeException e) {
            return ServingStatus.UNKNOWN;
        } finally {
            c.shutdownNow();
        }
    }

    private static DynamicMessage doCall(ManagedChannel c, long ms, String payload) {
        return ClientCalls.blockingUnaryCall(
                c,
                WorkProto.DO,
                CallOptions.DEFAULT.withDeadlineAfter(70, TimeUnit.SECONDS),
                WorkProto.doRequest(ms, payload));
    }

    /** Starts a Do call on this thread (so it is on the connection before any later call). */
    private static CompletableFuture<DynamicMessage> doAsync(ManagedChannel c, long ms, String payload) {
        CompletableFuture<DynamicMessage> reply = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(
                c.newCall(WorkProto.DO, CallOptions.DEFAULT), WorkProto.doRequest(ms, payload), new StreamObserver<>() {
                    @Override
                    public void onNext(DynamicMessage value) {
                        reply.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                });
        return reply;
    }

    /** The ticks of a Ticks call, collected, and how it ended. */
    private static CompletableFuture<List<Long>> ticks(ManagedChannel c, int count, long intervalMs) {
        return CompletableFuture.supplyAsync(() -> {
            List<Long> ns = new ArrayList<>();
            Iterator<DynamicMessage> it = ClientCalls.blockingServerStreamingCall(
                    c, WorkProto.TICKS, CallOptions.DEFAULT, WorkProto.ticksRequest(count, intervalMs));
            it.forEachRemaining(t -> ns.add((Long) WorkProto.get(t, "n")));
            return ns;
        });
    }

    @Test
    void servesDoTicksHealthAndReflection() throws Exception {
        try (ExampleProcess example = start("routes", "--version", "v7")) {
            ManagedChannel c = channel(example.port);
            DynamicMessage reply = doCall(c, 0, "p");
            assertThat(WorkProto.get(reply, "version")).isEqualTo("v7");
            assertThat(WorkProto.get(reply, "payload")).isEqualTo("p");
            StatusRuntimeException bad = catchThrowableOfType(StatusRuntimeException.class, () -> doCall(c, -1, "p"));
            assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            bad = catchThrowableOfType(StatusRuntimeException.class, () -> doCall(c, 600_001, "p"));
            assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(ticks(c, 3, 10).get(30, TimeUnit.SECONDS)).containsExactly(1L, 2L, 3L);
            assertThat(check(example.port, "")).isEqualTo(ServingStatus.SERVING);
            assertThat(check(example.port, WorkProto.SERVICE)).isEqualTo(ServingStatus.SERVING);

            CompletableFuture<List<String>> services = new CompletableFuture<>();
            StreamObserver<ServerReflectionRequest> ask = ServerReflectionGrpc.newStub(c)
                    .serverReflectionInfo(new StreamObserver<>() {
                        @Override
                        public void onNext(ServerReflectionResponse r) {
                            services.complete(r.getListServicesResponse().getServiceList().stream()
                                    .map(ServiceResponse::getName)
                                    .toList());
                        }

                        @Override
                        public void onError(Throwable t) {
                            services.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {}
                    });
            ask.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            assertThat(services.get(30, TimeUnit.SECONDS))
                    .contains(WorkProto.SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
            ask.onCompleted();

            example.jvm.signal("TERM");
            assertThat(example.jvm.awaitExit(AT_MOST)).isZero();
        }
    }

    @Test
    void sigtermTurnsHealthNotServingAtOnceServesThroughTheDelayFinishesCallsEndsWatchesAndExitsZero()
            throws Exception {
        try (ExampleProcess example = start("sigterm", "--readiness-delay", "1s", "--drain-timeout", "30s")) {
            int port = example.port;
            ManagedChannel c = channel(port);
            KitClient.Watch watch = new KitClient.Watch();
            HealthGrpc.newStub(c)
                    .watch(
                            HealthCheckRequest.newBuilder()
                                    .setService(WorkProto.SERVICE)
                                    .build(),
                            watch);
            await().atMost(AT_MOST).until(() -> watch.statuses.contains(ServingStatus.SERVING));
            CompletableFuture<DynamicMessage> work = doAsync(c, 2500, "held");
            CompletableFuture<List<Long>> stream = ticks(c, 5, 500);

            long signalled = System.nanoTime();
            example.jvm.signal("TERM");
            await().atMost(AT_MOST)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> watch.statuses.contains(ServingStatus.NOT_SERVING));
            long notServingMs = (System.nanoTime() - signalled) / 1_000_000;
            assertThat(notServingMs).as("NOT_SERVING at once").isLessThan(1000);
            assertThat(WorkProto.get(doCall(c, 0, "during the delay"), "payload"))
                    .isEqualTo("during the delay");

            assertThat(WorkProto.get(work.get(60, TimeUnit.SECONDS), "payload")).isEqualTo("held");
            assertThat(stream.get(60, TimeUnit.SECONDS)).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(watch.ended.get(60, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(watch.statuses).endsWith(ServingStatus.NOT_SERVING);
            assertThat(example.jvm.awaitExit(AT_MOST)).isZero();
            assertThat(example.output()).contains("drained 2, abandoned 0");
        }
    }

    @Test
    void aDrainThatTimesOutCancelsTheStuckCallReportsItAndExitsThree() throws Exception {
        try (ExampleProcess example = start("timeout", "--drain-timeout", "1s")) {
            ManagedChannel c = channel(example.port);
            CompletableFuture<DynamicMessage> stuck = doAsync(c, 60_000, "stuck");
            awaitInFlight(example);
            example.jvm.signal("TERM");
            assertThat(example.jvm.awaitExit(AT_MOST)).isEqualTo(3);
            Throwable cut = catchThrowableOfType(
                            java.util.concurrent.ExecutionException.class, () -> stuck.get(30, TimeUnit.SECONDS))
                    .getCause();
            assertThat(Status.fromThrowable(cut).getCode()).isIn(Status.Code.CANCELLED, Status.Code.UNAVAILABLE);
            assertThat(example.output()).contains("grpc '/graceful.examples.Work/Do'");
        }
    }

    @Test
    void aSecondSignalExitsAtOnce() throws Exception {
        try (ExampleProcess example = start("second-signal", "--drain-timeout", "60s")) {
            ManagedChannel c = channel(example.port);
            doAsync(c, 60_000, "stuck");
            awaitInFlight(example);
            example.jvm.signal("TERM");
            await().atMost(AT_MOST).until(() -> example.output().contains("Stopped accepting"));
            example.jvm.signal("TERM");
            assertThat(example.jvm.awaitExit(AT_MOST)).isEqualTo(143);
        }
    }

    /**
     * The example has no endpoint that counts its calls, so the client waits until a Do(0) started
     * after the held call, on the same connection, is answered: the held call's headers went first.
     */
    private void awaitInFlight(ExampleProcess example) {
        ManagedChannel c = channels.get(channels.size() - 1);
        await().atMost(AT_MOST)
                .until(() -> WorkProto.get(doCall(c, 0, "probe"), "payload").equals("probe"));
    }
}
