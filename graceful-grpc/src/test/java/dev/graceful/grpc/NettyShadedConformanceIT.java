package dev.graceful.grpc;

import dev.graceful.grpc.kit.GrpcDrainConformanceKit;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;

/** The gRPC kit on grpc-java's Netty-shaded transport, the one most applications run. */
class NettyShadedConformanceIT extends GrpcDrainConformanceKit {

    @Override
    protected ServerBuilder<?> serverBuilder() {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    }
}
