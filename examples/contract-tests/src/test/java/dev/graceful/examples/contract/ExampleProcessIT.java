package dev.graceful.examples.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.PrimitiveIterator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The harness itself: a port taken between its choice and the child's bind costs a retry, not a failed test. */
class ExampleProcessIT {

    @Test
    void anExampleWhosePortIsTakenBeforeItBindsIsStartedAgainOnTheNextPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            // Whoever took the port answers nothing: close what it accepts, so that the probe of
            // the first attempt ends at once.
            Thread holder = new Thread(() -> closeEachAccepted(taken), "port-holder");
            holder.setDaemon(true);
            holder.start();
            PrimitiveIterator.OfInt ports = IntStream.of(taken.getLocalPort(), ExampleProcess.freePort())
                    .iterator();
            try (ExampleProcess example = ExampleProcess.start(
                    "jetty",
                    "port-taken",
                    Map.of(),
                    port -> Http.statusOrZero(port, "GET", "/livez") == 200,
                    ports::nextInt)) {
                assertThat(example.port).isNotEqualTo(taken.getLocalPort());
                assertThat(Http.statusOrZero(example.port, "GET", "/livez")).isEqualTo(200);
            }
        }
    }

    private static void closeEachAccepted(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                server.accept().close();
            } catch (IOException closed) {
                return;
            }
        }
    }
}
