package dev.graceful.grpc;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;

/**
 * The Java snippet of README.md and graceful-grpc/README.md, verbatim, so that the build compiles
 * it on Java 17. Never run. The region between the {@code readme-snippet} markers is the Markdown
 * block as it stands in the files it names; tools/architecture's ReadmeSnippetsTest fails when they
 * differ.
 */
final class ReadmeSnippets {

    private ReadmeSnippets() {}

    static void server(GracefulConfig config) throws Exception {
        // spotless:off
        // readme-snippet: README.md, graceful-grpc/README.md
        GracefulShutdown graceful = GracefulShutdown.create(config);
        Server server = GracefulGrpc.attach(graceful, ServerBuilder.forPort(50051).addService(new MyService()))
                .start();                  // + call tracking, grpc.health.v1, the participant
        graceful.installSignalHandlers();  // SIGTERM/SIGINT: NOT_SERVING, delay, GOAWAY, drain, exit
        graceful.markReady();              // health: SERVING
        server.awaitTermination();         // grpc-java's threads are daemons: keep the JVM up
        // end readme-snippet
        // spotless:on
    }

    private static final class MyService implements BindableService {
        @Override
        public ServerServiceDefinition bindService() {
            return ServerServiceDefinition.builder("my.Service").build();
        }
    }
}
