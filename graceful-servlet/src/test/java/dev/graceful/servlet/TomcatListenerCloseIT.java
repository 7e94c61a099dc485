package dev.graceful.servlet;

import static dev.graceful.servlet.Drains.AT_MOST;
import static dev.graceful.servlet.Drains.awaitReport;
import static dev.graceful.servlet.Drains.shutDownCleanlyWithAnIdleConnection;
import static dev.graceful.servlet.Drains.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import dev.graceful.testkit.KitClient;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.RawHttpConnection;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How Tomcat's listening socket closes: a connection the kernel has accepted is served, never
 * dropped by Tomcat's acceptor nor reset when the socket closes, and Tomcat's connector code logs
 * nothing alarming about it.
 */
class TomcatListenerCloseIT {

    private final ModesServlet servlet = new ModesServlet();
    private final KitClient client = new KitClient(() -> this.server.port(), AT_MOST);
    private final List<LogRecord> tomcatWarnings = new CopyOnWriteArrayList<>();
    private final Logger tomcatNet = Logger.getLogger("org.apache.tomcat.util.net");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                tomcatWarnings.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final List<RawHttpConnection> connections = new ArrayList<>();
    private GracefulShutdown graceful;
    private KitServer server;

    @BeforeEach
    void captureTomcatWarnings() {
        tomcatNet.addHandler(capture);
    }

    @AfterEach
    void stop() throws Exception {
        tomcatNet.removeHandler(capture);
        servlet.releaseAll();
        for (RawHttpConnection c : connections) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(Map<String, String> connectorProperties) throws Exception {
        graceful = GracefulShutdown.create(GracefulConfig.builder()
                .drainTimeout(Duration.ofSeconds(15))
                .closeTimeout(Duration.ofSeconds(5))
                .build());
        server = Servers.tomcat(graceful, Map.of("/m", servlet), connectorProperties);
        graceful.markReady();
    }

    @Test
    void connectionsQueuedInTheBacklogWhenTheListenerClosesAreServed() throws Exception {
        // Two connections reach maxConnections: Tomcat's acceptor then waits, and the kernel queues
        // the next connections in the backlog, the state a busy acceptor leaves them in.
        start(Map.of("maxConnections", "2"));
        CompletableFuture<HttpResponse<String>> a = client.getAsync("/m?mode=sync&id=a");
        CompletableFuture<HttpResponse<String>> b = client.getAsync("/m?mode=sync&id=b");
        soon().until(() -> servlet.isStarted("a") && servlet.isStarted("b"));
        List<RawHttpConnection> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawHttpConnection c = RawHttpConnection.open(server.port());
            connections.add(c);
            c.send("GET", "/m?mode=sync&id=queued-" + i + "&after=0", null);
            queued.add(c);
        }
        assertThat(servlet.isStarted("queued-0"))
                .as("not accepted yet: Tomcat is at maxConnections")
                .isFalse();

        graceful.shutdown("test");
        client.awaitRefused();

        for (RawHttpConnection c : queued) {
            RawHttpConnection.Response r = c.read();
            assertThat(r.status())
                    .as("a queued connection is served, not dropped or reset")
                    .isEqualTo(200);
            assertThat(r.body()).isEqualTo("sync");
            assertThat(r.connectionClose()).isTrue();
            assertThat(c.awaitClose(AT_MOST)).isEqualTo(RawHttpConnection.Close.EOF);
        }
        servlet.release("a");
        servlet.release("b");
        assertThat(a.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(b.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        ShutdownReport report = awaitReport(graceful);
        assertThat(report.isClean()).isTrue();
        assertThat(report.drained()).isEqualTo(5);
        assertThat(tomcatWarnings).extracting(LogRecord::getMessage).isEmpty();
    }

    @Test
    void withoutAConnectionLimitTomcatsOwnListenerCloseIsUsedAndConnectsAreRefused() throws Exception {
        // maxConnections=-1 leaves the acceptor nothing to wait on: Tomcat closes the socket itself.
        start(Map.of("maxConnections", "-1"));
        CompletableFuture<HttpResponse<String>> held = client.getAsync("/m?mode=sync&id=held");
        soon().until(() -> servlet.isStarted("held"));

        graceful.shutdown("test");
        client.awaitRefused();
        servlet.release("held");

        assertThat(held.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(awaitReport(graceful).isClean()).isTrue();
    }

    @Test
    void theConnectorStopsQuietlyAfterItsListenerClosed() throws Exception {
        start(Map.of());
        shutDownCleanlyWithAnIdleConnection(graceful, server.port());
        assertThat(client.refused()).isTrue();
        assertThat(tomcatWarnings).extracting(LogRecord::getMessage).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

}
