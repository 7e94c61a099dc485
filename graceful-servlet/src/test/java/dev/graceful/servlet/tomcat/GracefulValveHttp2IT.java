package dev.graceful.servlet.tomcat;

import static dev.graceful.servlet.Drains.AT_MOST;
import static dev.graceful.servlet.Drains.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import dev.graceful.testkit.DrainAssertions;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.http2.Http2Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The valve on HTTP/2 (h2c): each stream has a request object of its own, so its request is kept in
 * the thread's slot, and a stuck one is still described at the deadline.
 */
class GracefulValveHttp2IT {

    private final GracefulShutdown graceful = GracefulShutdown.create(GracefulConfig.builder()
            .readinessDelay(Duration.ZERO)
            .drainTimeout(Duration.ofMillis(300))
            .build());
    private final CountDownLatch release = new CountDownLatch(1);
    /** The note graceful's valve left on each request object, as the next valve saw it; "none" for none. */
    private final List<String> notes = new CopyOnWriteArrayList<>();

    private Tomcat tomcat;

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        if (tomcat != null && tomcat.getServer().getState() != LifecycleState.DESTROYED) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    @Test
    void aStuckHttp2StreamIsDescribedAndNoStreamsRequestObjectGetsASlot() throws Exception {
        int port = start();
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        // The first request upgrades the connection (h2c); the ones after it are streams of their own.
        assertThat(client.send(get(port, "/fast"), HttpResponse.BodyHandlers.ofString())
                        .version())
                .isEqualTo(HttpClient.Version.HTTP_2);
        notes.clear();
        assertThat(client.send(get(port, "/fast"), HttpResponse.BodyHandlers.ofString())
                        .body())
                .isEqualTo("HTTP/2.0");
        client.sendAsync(get(port, "/slow"), HttpResponse.BodyHandlers.ofString());
        soon().until(() -> graceful.inFlight() == 1 && notes.size() == 2);
        assertThat(notes).containsExactly("none", "none");

        // The drain times out on the stuck stream (the connection is then closed under it).
        ShutdownReport report = graceful.shutdown("test").get(AT_MOST.toSeconds(), TimeUnit.SECONDS);

        DrainAssertions.assertOneStuck(report, "GET /slow");
    }

    private int start() throws Exception {
        tomcat = new Tomcat();
        Path target = Files.createDirectories(Path.of("target"));
        tomcat.setBaseDir(Files.createTempDirectory(target, "tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.addUpgradeProtocol(new Http2Protocol());
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "app", new HttpServlet() {
                    @Override
                    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                        if (req.getRequestURI().equals("/slow")) {
                            try {
                                release.await(AT_MOST.toSeconds(), TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        resp.getWriter().write(req.getProtocol());
                    }
                })
                .setAsyncSupported(true);
        context.addServletMappingDecoded("/", "app");
        GracefulValve.install(context, graceful);
        context.getPipeline().addValve(new ValveBase(true) {
            @Override
            public void invoke(Request request, Response response)
                    throws IOException, jakarta.servlet.ServletException {
                Object note = request.getCoyoteRequest().getNote(GracefulValve.SLOT_NOTE);
                notes.add(note == null ? "none" : "slot");
                getNext().invoke(request, response);
            }
        });
        TomcatParticipant.register(graceful, tomcat);
        tomcat.start();
        graceful.markReady();
        return connector.getLocalPort();
    }

    private static HttpRequest get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .GET()
                .build();
    }
}
