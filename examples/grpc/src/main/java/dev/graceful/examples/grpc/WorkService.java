package dev.graceful.examples.grpc;

import com.google.protobuf.DynamicMessage;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The example's service. {@code Do} waits {@code ms} on a timer (no thread held) and echoes the
 * payload; {@code Ticks} sends {@code count} ticks {@code interval_ms} apart. Both stop their timer
 * when the client cancels.
 */
public final class WorkService {

    static final long MAX_MS = 600_000;

    private final String version;
    private final ScheduledExecutorService timer;

    /**
     * @param version named in every answer
     * @param timer   where the waits run
     */
    public WorkService(String version, ScheduledExecutorService timer) {
        this.version = version;
        this.timer = timer;
    }

    /** The service definition to add to a server builder. */
    public ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(WorkProto.SERVICE_DESCRIPTOR)
                .addMethod(WorkProto.DO, ServerCalls.asyncUnaryCall(this::doWork))
                .addMethod(WorkProto.TICKS, ServerCalls.asyncServerStreamingCall(this::ticks))
                .build();
    }

    private void doWork(DynamicMessage request, StreamObserver<DynamicMessage> out) {
        long ms = (Long) WorkProto.get(request, "ms");
        if (ms < 0 || ms > MAX_MS) {
            out.onError(Status.INVALID_ARGUMENT
                    .withDescription("ms must be between 0 and " + MAX_MS + ", was " + ms)
                    .asRuntimeException());
            return;
        }
        DynamicMessage reply = DynamicMessage.newBuilder(WorkProto.DO_REPLY)
                .setField(WorkProto.DO_REPLY.findFieldByName("version"), version)
                .setField(WorkProto.DO_REPLY.findFieldByName("payload"), WorkProto.get(request, "payload"))
                .build();
        if (ms == 0) {
            out.onNext(reply);
            out.onCompleted();
            return;
        }
        ServerCallStreamObserver<DynamicMessage> call = (ServerCallStreamObserver<DynamicMessage>) out;
        ScheduledFuture<?> done = timer.schedule(
                () -> {
                    if (!call.isCancelled()) {
                        call.onNext(reply);
                        call.onCompleted();
                    }
                },
                ms,
                TimeUnit.MILLISECONDS);
        call.setOnCancelHandler(() -> done.cancel(false));
    }

    private void ticks(DynamicMessage request, StreamObserver<DynamicMessage> out) {
        int count = (Integer) WorkProto.get(request, "count");
        long interval = (Long) WorkProto.get(request, "interval_ms");
        if (count < 0 || interval < 0 || interval > MAX_MS) {
            out.onError(Status.INVALID_ARGUMENT
                    .withDescription("count must be >= 0 and interval_ms between 0 and " + MAX_MS)
                    .asRuntimeException());
            return;
        }
        ServerCallStreamObserver<DynamicMessage> call = (ServerCallStreamObserver<DynamicMessage>) out;
        new Ticker(call, count, interval).next(1);
    }

    /** Sends tick n, then schedules n + 1; one timer task at a time, so writes never overlap. */
    private final class Ticker {
        private final ServerCallStreamObserver<DynamicMessage> call;
        private final int count;
        private final long interval;
        private volatile ScheduledFuture<?> pending;

        Ticker(ServerCallStreamObserver<DynamicMessage> call, int count, long interval) {
            this.call = call;
            this.count = count;
            this.interval = interval;
            call.setOnCancelHandler(() -> {
                ScheduledFuture<?> p = pending;
                if (p != null) {
                    p.cancel(false);
                }
            });
        }

        void next(long n) {
            if (call.isCancelled()) {
                return;
            }
            if (n > count) {
                call.onCompleted();
                return;
            }
            pending = timer.schedule(
                    () -> {
                        if (call.isCancelled()) {
                            return;
                        }
                        call.onNext(DynamicMessage.newBuilder(WorkProto.TICK)
                                .setField(WorkProto.TICK.findFieldByName("n"), n)
                                .setField(WorkProto.TICK.findFieldByName("version"), version)
                                .build());
                        next(n + 1);
                    },
                    n == 1 ? 0 : interval,
                    TimeUnit.MILLISECONDS);
        }
    }
}
