package dev.graceful.examples.grpc;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.ExampleReload;
import dev.graceful.grpc.GracefulGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A grpc-java server (h2c, Netty-shaded transport) that redeploys without failing a call.
 *
 * <pre>
 * java -jar graceful-example-grpc.jar [--port P] [--version V] [--drain-timeout D] [--readiness-delay D]
 * </pre>
 *
 * <p>Service {@code graceful.examples.Work} ({@code Do}, {@code Ticks}; see {@link WorkProto}),
 * {@code grpc.health.v1.Health} for {@code ""} and {@code graceful.examples.Work}, and server
 * reflection. SIGTERM or SIGINT: NOT_SERVING at once, served through the readiness delay, then
 * GOAWAY; calls in flight complete, Watch streams end; exit 0. A drain that times out cancels the
 * stuck calls and exits 3; a second signal exits at once.
 */
public final class GrpcExample {

    private static final Logger log = LoggerFactory.getLogger(GrpcExample.class);

    private GrpcExample() {}

    /**
     * Starts the server.
     *
     * @param args the options
     * @throws InterruptedException when interrupted while waiting for the server's end
     */
    public static void main(String[] args) throws InterruptedException {
        ExampleOptions options = ExampleOptions.parseOrExit("graceful-example-grpc", args);
        if (options.virtualThreads()) {
            System.err.println("graceful-example-grpc: --threads virtual does not apply: grpc-java runs calls on"
                    + " its own executor");
            System.exit(ExampleOptions.USAGE_EXIT_CODE);
        }
        GracefulConfig config = options.config().build();
        GracefulShutdown graceful = GracefulShutdown.create(config);
        ExampleReload.register(graceful);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "work-timer");
            t.setDaemon(true);
            return t;
        });
        Server server;
        try {
            server = GracefulGrpc.attach(graceful, builder(options.port(), options.version(), timer))
                    .start();
        } catch (IOException e) {
            log.error("Cannot listen on port {}: {}", options.port(), e.toString());
            System.exit(1);
            return;
        }
        graceful.installSignalHandlers();
        graceful.markReady();
        log.info(
                "Listening on port {} (version {}, drain timeout {}, readiness delay {})",
                ((InetSocketAddress) server.getListenSockets().get(0)).getPort(),
                options.version(),
                Durations.format(config.drainTimeout()),
                Durations.format(config.readinessDelay()));
        // grpc-java's threads are daemons: the main thread keeps the JVM up until the drain is over.
        server.awaitTermination();
    }

    /**
     * The example's server builder, services added, graceful not yet attached: without graceful
     * (build it as is) it is the benchmarks' baseline.
     */
    public static NettyServerBuilder builder(int port, String version, ScheduledExecutorService timer) {
        return NettyServerBuilder.forAddress(new InetSocketAddress(port))
                .addService(new WorkService(version, timer).definition())
                .addService(ProtoReflectionServiceV1.newInstance());
    }
}
