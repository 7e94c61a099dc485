package dev.graceful.servlet.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.InFlightWork;
import dev.graceful.ShutdownReport;
import dev.graceful.testkit.RawHttpConnection;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link GracefulJettyHandler}'s requests are described at a drain's deadline. On a server
 * whose connectors speak plain HTTP/1, the handler keeps nothing per request and the requests in
 * flight are read from Jetty's connections ({@link JettyServletRequests}): a synchronous request
 * and an asynchronous one, each once, by method, path and age, and not a request of another
 * context on the same connections. Where the connections cannot be read (another protocol on a
 * connector, Jetty's members missing), each request is kept in its thread's slot, as before, and
 * is described all the same.
 */
class JettyHandlerStuckRequestsIT {

    private static final Duration AT_MOST = Duration.ofSeconds(30);

    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpClient client = HttpClient.newHttpClient();
    private final HttpServlet holding = new HttpServlet() {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if (req.getRequestURI().contains("/async/")) {
                req.startAsync().setTimeout(0);
                return;
            }
            try {
                release.await(AT_MOST.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            resp.getWriter().write("released");
        }
    };
    private final GracefulShutdown graceful = GracefulShutdown.create(GracefulConfig.builder()
            .readinessDelay(Duration.ZERO)
            .drainTimeout(Duration.ofSeconds(1))
            .closeTimeout(Duration.ofSeconds(2))
            .build());
    private Server server;
    private ServerConnector connector;

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void onPlainHttp1TheRequestsInFlightAreReadFromJettysConnectionsEachOnceAndOnlyThisContexts() throws Exception {
        GracefulJettyHandler handler = start(JettyInternals.running(), new HttpConnectionFactory());
        assertThat(handler.countsOnly()).as("no slot per request").isTrue();

        send("/app/sync/a");
        send("/app/async/b");
        send("/other/sync/c");
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == 2);
        await().atMost(AT_MOST)
                .until(() -> server.getConnectors()[0].getConnectedEndPoints().size() == 3);

        ShutdownReport report = graceful.shutdown("test").get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

        assertStuck(report, "GET /app/sync/a", "GET /app/async/b");
    }

    @Test
    void withAnotherProtocolOnAConnectorEachRequestIsKeptInItsThreadsSlotAndDescribed() throws Exception {
        GracefulJettyHandler handler =
                start(JettyInternals.running(), new ProxyConnectionFactory(), new HttpConnectionFactory());
        assertThat(handler.countsOnly())
                .as("a PROXY header is not plain HTTP/1")
                .isFalse();

        try (RawHttpConnection c = RawHttpConnection.open(connector.getLocalPort())) {
            c.sendRaw("PROXY TCP4 192.0.2.1 127.0.0.1 40000 8080\r\n"
                    + "GET /app/sync/a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            await().atMost(AT_MOST).until(() -> graceful.inFlight() == 1);

            ShutdownReport report = graceful.shutdown("test").get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

            assertStuck(report, "GET /app/sync/a");
        }
    }

    @Test
    void withJettysMembersMissingEachRequestIsKeptInItsThreadsSlotAndDescribed() throws Exception {
        JettyInternals hidden = new JettyInternals(Set.of(JettyInternals.GET_HTTP_CHANNEL));
        GracefulJettyHandler handler = start(hidden, new HttpConnectionFactory());
        assertThat(handler.countsOnly()).isFalse();

        send("/app/sync/a");
        send("/app/async/b");
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == 2);

        ShutdownReport report = graceful.shutdown("test").get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

        assertStuck(report, "GET /app/sync/a", "GET /app/async/b");
    }

    /** graceful's handler on {@code /app}; {@code /other} is a context without graceful on the same connector. */
    private GracefulJettyHandler start(JettyInternals internals, ConnectionFactory... factories) throws Exception {
        server = new Server();
        connector = new ServerConnector(server, factories);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler app = new ServletContextHandler("/app");
        ServletHolder appServlet = new ServletHolder(holding);
        appServlet.setAsyncSupported(true);
        app.addServlet(appServlet, "/*");
        ServletContextHandler other = new ServletContextHandler("/other");
        other.addServlet(new ServletHolder(holding), "/*");
        server.setHandler(new ContextHandlerCollection(app, other));
        GracefulJettyHandler handler = GracefulJettyHandler.install(
                app, graceful, HealthEndpoint.of(graceful), JettyInternals.AsyncStarts.running(), internals);
        server.start();
        graceful.markReady();
        return handler;
    }

    private void send(String path) {
        client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void assertStuck(ShutdownReport report, String... descriptions) {
        assertThat(report.drainTimedOut()).isTrue();
        List<InFlightWork> stuck = report.stuck();
        assertThat(stuck).extracting(InFlightWork::description).containsExactlyInAnyOrder(descriptions);
        assertThat(stuck).allSatisfy(w -> {
            assertThat(w.kind()).isEqualTo("http");
            assertThat(w.age()).isGreaterThanOrEqualTo(report.drainDuration()).isLessThan(Duration.ofMinutes(10));
        });
    }
}
