package dev.graceful.benchmarks.grpc;

import dev.graceful.GracefulShutdown;
import dev.graceful.grpc.internal.CallTracking;
import dev.graceful.grpc.internal.WatchStreams;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One unary call's life as grpc-java drives a server's handler (start, message, half-close,
 * complete) with no network and no application work: {@link #plain} straight to the application's
 * handler, {@link #graceful} through graceful-grpc's interceptor, wrapped the way a server wraps it.
 * The difference is graceful's cost per call, in ns and (with {@code -prof gc}) in bytes.
 */
@State(Scope.Thread)
public class InterceptorBench {

    static final MethodDescriptor.Marshaller<String> NONE = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(new byte[0]);
        }

        @Override
        public String parse(InputStream stream) {
            return "";
        }
    };

    static final MethodDescriptor<String, String> METHOD = MethodDescriptor.<String, String>newBuilder(NONE, NONE)
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("bench.Work/Do")
            .build();

    private static final ServerCall.Listener<String> APP = new ServerCall.Listener<>() {};

    private final ServerCall<String, String> call = new NoCall();
    private final Metadata headers = new Metadata();
    private final ServerCallHandler<String, String> plain = (c, h) -> APP;
    private final ServerCallHandler<String, String> graceful =
            intercepted(plain, new CallTracking(GracefulShutdown.create().tracker("grpc"), new WatchStreams()));

    static ServerCallHandler<String, String> intercepted(
            ServerCallHandler<String, String> handler, CallTracking tracking) {
        ServerServiceDefinition service = ServerServiceDefinition.builder("bench.Work")
                .addMethod(METHOD, handler)
                .build();
        @SuppressWarnings("unchecked")
        ServerCallHandler<String, String> h =
                (ServerCallHandler<String, String>) ServerInterceptors.intercept(service, tracking)
                        .getMethod(METHOD.getFullMethodName())
                        .getServerCallHandler();
        return h;
    }

    static ServerCall.Listener<String> oneCall(
            ServerCallHandler<String, String> handler, ServerCall<String, String> call, Metadata headers) {
        ServerCall.Listener<String> l = handler.startCall(call, headers);
        l.onMessage("");
        l.onHalfClose();
        l.onComplete();
        return l;
    }

    @Benchmark
    public ServerCall.Listener<String> plain() {
        return oneCall(plain, call, headers);
    }

    @Benchmark
    public ServerCall.Listener<String> graceful() {
        return oneCall(graceful, call, headers);
    }

    /** A server call that goes nowhere. */
    static final class NoCall extends ServerCall<String, String> {
        @Override
        public void request(int numMessages) {}

        @Override
        public void sendHeaders(Metadata headers) {}

        @Override
        public void sendMessage(String message) {}

        @Override
        public void close(Status status, Metadata trailers) {}

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<String, String> getMethodDescriptor() {
            return METHOD;
        }
    }
}
