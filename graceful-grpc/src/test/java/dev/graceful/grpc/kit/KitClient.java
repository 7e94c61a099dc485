package dev.graceful.grpc.kit;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A grpc-java client of the kit's server: one channel, calls as futures, health as values. */
public final class KitClient implements AutoCloseable {

    /** What one call got: its messages and its final status. */
    public record Outcome(List<String> messages, Status status) {
        public boolean ok() {
            return status.isOk();
        }
    }

    /** A call in progress: its messages so far, its end, and a way to cancel it. */
    public record Call(List<String> messages, CompletableFuture<Outcome> outcome, ClientCall<?, ?> call) {}

    private final ManagedChannel channel;

    public KitClient(int port) {
        this.channel =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** Starts a call of {@code method} with {@code request}. */
    public Call start(MethodDescriptor<String, String> method, String request, CallOptions options) {
        ClientCall<String, String> call = channel.newCall(method, options);
        List<String> messages = new CopyOnWriteArrayList<>();
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onMessage(String message) {
                        messages.add(message);
                        call.request(1);
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        outcome.complete(new Outcome(List.copyOf(messages), status));
                    }
                },
                new Metadata());
        call.request(1);
        call.sendMessage(request);
        call.halfClose();
        return new Call(messages, outcome, call);
    }

    public Call start(MethodDescriptor<String, String> method, String request) {
        return start(method, request, CallOptions.DEFAULT);
    }

    /** One call, waited for. */
    public Outcome call(MethodDescriptor<String, String> method, String request) throws Exception {
        return start(method, request).outcome().get(10, TimeUnit.SECONDS);
    }

    /** The health service's answer for {@code service}, or its error status's code as text. */
    public ServingStatus check(String service) {
        try {
            HealthCheckResponse r = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build());
            return r.getStatus();
        } catch (StatusRuntimeException e) {
            return ServingStatus.UNRECOGNIZED;
        }
    }

    /** A Watch stream on {@code service}: the statuses it carries and how it ended. */
    public Watch watch(String service) {
        Watch w = new Watch();
        HealthGrpc.newStub(channel)
                .watch(HealthCheckRequest.newBuilder().setService(service).build(), w);
        return w;
    }

    public static final class Watch implements io.grpc.stub.StreamObserver<HealthCheckResponse> {
        public final List<ServingStatus> statuses = new CopyOnWriteArrayList<>();
        public final CompletableFuture<Status> ended = new CompletableFuture<>();

        @Override
        public void onNext(HealthCheckResponse value) {
            statuses.add(value.getStatus());
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            ended.complete(Status.OK);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
