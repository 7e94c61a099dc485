package dev.graceful.servlet.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.ShutdownReport;
import dev.graceful.servlet.GracefulServlet;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee11.servlet.ServletApiRequest;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link GracefulJettyHandler} on a real Jetty: how {@code install} refuses what would count
 * requests twice or not at all, what it sets up, and the requests only the handler sees as it does
 * (one no servlet matches; asynchronous ones completed as their first dispatch returns). The rest
 * of its behaviour is proven by the kits ({@code JettyHandler*ConformanceIT}) and the drain tests
 * run on every container ({@code ServletDrainIT}, {@code LongLivedIT}).
 */
class GracefulJettyHandlerIT {

    private static final Duration AT_MOST = Duration.ofSeconds(30);

    private final GracefulShutdown graceful =
            GracefulShutdown.create(GracefulConfig.builder().build());
    private final HttpClient client = HttpClient.newHttpClient();
    private final ExecutorService completers = Executors.newFixedThreadPool(4);
    private Server server;
    private ServerConnector connector;

    private ServletContextHandler context() {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        server.setHandler(context);
        return context;
    }

    @AfterEach
    void stop() throws Exception {
        completers.shutdownNow();
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aHandlerAndAFilterOnOneContextFailItsStartNamingBoth() {
        ServletContextHandler context = context();
        context.addServletContainerInitializer(GracefulServlet.initializer(graceful));
        GracefulJettyHandler.install(context, graceful);

        assertThatThrownBy(server::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("graceful is installed twice on context '': as a handler and as a filter; keep one");
    }

    @Test
    void installingOnAStartedContextIsRefusedWithItsPath() throws Exception {
        ServletContextHandler context = context();
        server.start();

        assertThatThrownBy(() -> GracefulJettyHandler.install(context, graceful))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("context '/' has started");
    }

    @Test
    void theHandlerSitsInsideTheContextAndMapsTheHealthServlet() throws Exception {
        ServletContextHandler context = context();
        GracefulJettyHandler handler = GracefulJettyHandler.install(context, graceful);

        server.start();

        assertThat(context.getHandler()).isSameAs(handler);
        assertThat(context.getServletContext().getAttribute(GracefulServlet.CONTEXT_ATTRIBUTE))
                .isSameAs(graceful);
        assertThat(context.getServletContext()
                        .getServletRegistration(GracefulServlet.HEALTH_SERVLET_NAME)
                        .getMappings())
                .contains("/healthz");
        assertThat(context.getServletContext().getFilterRegistration(GracefulServlet.FILTER_NAME))
                .isNull();
        assertThat(get("/healthz").statusCode()).isEqualTo(503); // not marked ready
        graceful.markReady();
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(graceful.inFlight()).isZero();
    }

    @Test
    void aRequestNoServletMatchesIsLeftToJettyAndNotCounted() throws Exception {
        ServletContextHandler context = context();
        context.getServletHandler().setEnsureDefaultServlet(false);
        context.addServlet(
                new ServletHolder(new HttpServlet() {
                    @Override
                    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                        resp.setStatus(204);
                    }
                }),
                "/app");
        GracefulJettyHandler.install(context, graceful);
        server.start();

        assertThat(get("/elsewhere").statusCode()).isEqualTo(404);
        assertThat(get("/app").statusCode()).isEqualTo(204);
        // Counted out as the handler returns, just after Jetty wrote the response.
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == 0);
    }

    @ParameterizedTest(name = "Jetty''s field read: {0}")
    @ValueSource(booleans = {true, false})
    void asyncRequestsCompletedAsTheirFirstDispatchReturnsAreEachCountedOutOnce(boolean fieldRead) throws Exception {
        AtomicInteger counted = new AtomicInteger();
        ServletContextHandler context = context();
        ServletHolder holder = new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                if (graceful.inFlight() > 0) {
                    counted.incrementAndGet();
                }
                if (req.getRequestURI().endsWith("/sync")) {
                    return;
                }
                AsyncContext async = req.startAsync();
                // Races the dispatch's return, and so the handler's look at the request after it.
                completers.execute(async::complete);
            }
        });
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/");
        JettyInternals.AsyncStarts asyncStarts = new JettyInternals.AsyncStarts(!fieldRead);
        assertThat(asyncStarts.readable()).isEqualTo(fieldRead);
        GracefulJettyHandler.install(
                context, graceful, HealthEndpoint.of(graceful), asyncStarts, JettyInternals.running());
        server.start();
        graceful.markReady();

        List<CompletableFuture<HttpResponse<Void>>> all = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String path = i % 4 == 0 ? "/" + i + "/sync" : "/" + i + "/async";
            all.add(client.sendAsync(request(path), HttpResponse.BodyHandlers.discarding()));
            if (all.size() % 64 == 0) {
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                        .get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
            }
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

        assertThat(all).allMatch(f -> f.join().statusCode() == 200);
        await().atMost(AT_MOST).until(() -> graceful.inFlight() == 0);
        ShutdownReport report = graceful.shutdown("test").get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.isClean()).isTrue();
        assertThat(counted)
                .as("each request counted in while the application ran")
                .hasValue(2000);
    }

    @Test
    void jettysFieldSaysWhetherARequestEverStartedAsynchronousProcessing() throws Exception {
        assertThat(JettyInternals.AsyncStarts.running().readable())
                .as("resolves on the pinned Jetty")
                .isTrue();
        List<Boolean> neverStarted = new ArrayList<>();
        ServletContextHandler context = context();
        ServletHolder holder = new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                ServletApiRequest api = (ServletApiRequest) req;
                synchronized (neverStarted) {
                    neverStarted.add(JettyInternals.AsyncStarts.running().neverStarted(api));
                    req.startAsync().complete();
                    neverStarted.add(JettyInternals.AsyncStarts.running().neverStarted(api));
                }
            }
        });
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/");
        GracefulJettyHandler.install(context, graceful);
        server.start();

        assertThat(get("/").statusCode()).isEqualTo(200);
        synchronized (neverStarted) {
            assertThat(neverStarted).containsExactly(true, false);
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + path))
                .build();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(request(path), HttpResponse.BodyHandlers.ofString());
    }
}
