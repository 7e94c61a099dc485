package dev.graceful.examples.grpc;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;

/**
 * The example's schema, {@code graceful/examples/work.proto}, built as a protobuf descriptor in
 * code and used through {@link DynamicMessage}: real protobuf on the wire and in server reflection
 * without a {@code protoc} step (protoc-gen-grpc-java 1.85.1 is not to be had for this build). It
 * is this {@code .proto}:
 *
 * <pre>
 * syntax = "proto3";
 * package graceful.examples;
 * message DoRequest { int64 ms = 1; string payload = 2; }
 * message DoReply { string version = 1; string payload = 2; }
 * message TicksRequest { int32 count = 1; int64 interval_ms = 2; }
 * message Tick { int64 n = 1; string version = 2; }
 * service Work {
 *   rpc Do(DoRequest) returns (DoReply);
 *   rpc Ticks(TicksRequest) returns (stream Tick);
 * }
 * </pre>
 */
public final class WorkProto {

    public static final String SERVICE = "graceful.examples.Work";

    public static final Descriptors.FileDescriptor FILE = build();
    public static final Descriptors.Descriptor DO_REQUEST = FILE.findMessageTypeByName("DoRequest");
    public static final Descriptors.Descriptor DO_REPLY = FILE.findMessageTypeByName("DoReply");
    public static final Descriptors.Descriptor TICKS_REQUEST = FILE.findMessageTypeByName("TicksRequest");
    public static final Descriptors.Descriptor TICK = FILE.findMessageTypeByName("Tick");

    public static final MethodDescriptor<DynamicMessage, DynamicMessage> DO =
            method("Do", MethodDescriptor.MethodType.UNARY, DO_REQUEST, DO_REPLY);
    public static final MethodDescriptor<DynamicMessage, DynamicMessage> TICKS =
            method("Ticks", MethodDescriptor.MethodType.SERVER_STREAMING, TICKS_REQUEST, TICK);

    /** The service's descriptor, with its schema for server reflection. */
    public static final ServiceDescriptor SERVICE_DESCRIPTOR = ServiceDescriptor.newBuilder(SERVICE)
            .setSchemaDescriptor(new Schema(null))
            .addMethod(DO)
            .addMethod(TICKS)
            .build();

    private WorkProto() {}

    /** A DoRequest. */
    public static DynamicMessage doRequest(long ms, String payload) {
        return DynamicMessage.newBuilder(DO_REQUEST)
                .setField(DO_REQUEST.findFieldByName("ms"), ms)
                .setField(DO_REQUEST.findFieldByName("payload"), payload)
                .build();
    }

    /** A TicksRequest. */
    public static DynamicMessage ticksRequest(int count, long intervalMs) {
        return DynamicMessage.newBuilder(TICKS_REQUEST)
                .setField(TICKS_REQUEST.findFieldByName("count"), count)
                .setField(TICKS_REQUEST.findFieldByName("interval_ms"), intervalMs)
                .build();
    }

    /** A field of a message, by name. */
    public static Object get(DynamicMessage message, String field) {
        return message.getField(message.getDescriptorForType().findFieldByName(field));
    }

    private static MethodDescriptor<DynamicMessage, DynamicMessage> method(
            String name, MethodDescriptor.MethodType type, Descriptors.Descriptor in, Descriptors.Descriptor out) {
        return MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(in)))
                .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(out)))
                .setSchemaDescriptor(new Schema(name))
                .build();
    }

    private static Descriptors.FileDescriptor build() {
        FileDescriptorProto proto = FileDescriptorProto.newBuilder()
                .setName("graceful/examples/work.proto")
                .setPackage("graceful.examples")
                .setSyntax("proto3")
                .addMessageType(message(
                        "DoRequest",
                        field("ms", 1, FieldDescriptorProto.Type.TYPE_INT64),
                        field("payload", 2, FieldDescriptorProto.Type.TYPE_STRING)))
                .addMessageType(message(
                        "DoReply",
                        field("version", 1, FieldDescriptorProto.Type.TYPE_STRING),
                        field("payload", 2, FieldDescriptorProto.Type.TYPE_STRING)))
                .addMessageType(message(
                        "TicksRequest",
                        field("count", 1, FieldDescriptorProto.Type.TYPE_INT32),
                        field("interval_ms", 2, FieldDescriptorProto.Type.TYPE_INT64)))
                .addMessageType(message(
                        "Tick",
                        field("n", 1, FieldDescriptorProto.Type.TYPE_INT64),
                        field("version", 2, FieldDescriptorProto.Type.TYPE_STRING)))
                .addService(ServiceDescriptorProto.newBuilder()
                        .setName("Work")
                        .addMethod(MethodDescriptorProto.newBuilder()
                                .setName("Do")
                                .setInputType(".graceful.examples.DoRequest")
                                .setOutputType(".graceful.examples.DoReply"))
                        .addMethod(MethodDescriptorProto.newBuilder()
                                .setName("Ticks")
                                .setInputType(".graceful.examples.TicksRequest")
                                .setOutputType(".graceful.examples.Tick")
                                .setServerStreaming(true)))
                .build();
        try {
            return Descriptors.FileDescriptor.buildFrom(proto, new Descriptors.FileDescriptor[0]);
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DescriptorProto message(String name, FieldDescriptorProto.Builder... fields) {
        DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(name);
        for (FieldDescriptorProto.Builder f : fields) {
            b.addField(f);
        }
        return b.build();
    }

    private static FieldDescriptorProto.Builder field(String name, int number, FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder()
                .setName(name)
                .setNumber(number)
                .setType(type)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
                .setJsonName(toCamel(name));
    }

    private static String toCamel(String name) {
        int i = name.indexOf('_');
        return i < 0 ? name : name.substring(0, i) + Character.toUpperCase(name.charAt(i + 1)) + name.substring(i + 2);
    }

    /** What server reflection reads: the file, the service and, per method, its name. */
    private static final class Schema
            implements ProtoFileDescriptorSupplier, ProtoServiceDescriptorSupplier, ProtoMethodDescriptorSupplier {
        private final String method;

        Schema(String method) {
            this.method = method;
        }

        @Override
        public Descriptors.FileDescriptor getFileDescriptor() {
            return FILE;
        }

        @Override
        public Descriptors.ServiceDescriptor getServiceDescriptor() {
            return FILE.findServiceByName("Work");
        }

        @Override
        public Descriptors.MethodDescriptor getMethodDescriptor() {
            return method == null ? null : getServiceDescriptor().findMethodByName(method);
        }
    }
}
