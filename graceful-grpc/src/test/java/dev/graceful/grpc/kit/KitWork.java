package dev.graceful.grpc.kit;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * What a server under the gRPC kit serves: service {@code kit.Work} with plain UTF-8 string
 * messages (no protobuf, so the kit needs no code generation). {@code Echo} answers at once;
 * {@code Hold} and {@code Stream} are held until the test releases them ({@code Stream} sends
 * {@code "first"} at once and {@code "last"} on release).
 */
public final class KitWork {

    public static final String SERVICE = "kit.Work";

    /** Plain UTF-8 strings as messages. */
    public static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    public static final MethodDescriptor<String, String> ECHO = method("Echo", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> HOLD = method("Hold", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> STREAM =
            method("Stream", MethodDescriptor.MethodType.SERVER_STREAMING);

    /** Held unary calls, in arrival order. */
    public final BlockingQueue<StreamObserver<String>> heldUnary = new LinkedBlockingQueue<>();
    /** Held streams (each has sent "first"), in arrival order. */
    public final BlockingQueue<StreamObserver<String>> heldStreams = new LinkedBlockingQueue<>();

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder(UTF8, UTF8)
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .build();
    }

    public ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    out.onNext("echo " + request);
                    out.onCompleted();
                }))
                .addMethod(HOLD, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    heldUnary.add(out);
                }))
                .addMethod(
                        STREAM, ServerCalls.asyncServerStreamingCall((String request, StreamObserver<String> out) -> {
                            out.onNext("first");
                            heldStreams.add(out);
                        }))
                .build();
    }

    /** Answers {@code "done"} to the next held unary call. */
    public static void finish(StreamObserver<String> held, String last) {
        held.onNext(last);
        held.onCompleted();
    }
}
