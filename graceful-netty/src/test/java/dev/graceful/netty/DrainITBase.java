package dev.graceful.netty;

import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import dev.graceful.testkit.KitApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** What the HTTP/1.1 and HTTP/2 drain tests share: the kit application, the server and the cleanup. */
abstract class DrainITBase {

    static final Duration AT_MOST = Duration.ofSeconds(15);

    final KitApp app = new KitApp();
    final List<AutoCloseable> toClose = new ArrayList<>();
    GracefulShutdown graceful;
    NettyTestServer server;

    static GracefulConfig.Builder config() {
        return GracefulConfig.builder()
                .readinessDelay(Duration.ZERO)
                .drainTimeout(Duration.ofSeconds(10))
                .closeTimeout(Duration.ofSeconds(5));
    }

    void awaitHeld(String id) {
        await().atMost(AT_MOST)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> app.isHeld(id));
    }

    ShutdownReport awaitReport() {
        await().atMost(AT_MOST.multipliedBy(2))
                .until(() -> graceful.termination().isDone());
        return graceful.termination().join();
    }

    @AfterEach
    void tearDown() throws Exception {
        app.releaseAll();
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
