package dev.graceful.servlet.tomcat;

import static dev.graceful.servlet.Drains.AT_MOST;
import static dev.graceful.servlet.Drains.awaitReport;
import static dev.graceful.servlet.Drains.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.servlet.Servers;
import dev.graceful.testkit.ConnectProbe;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.RawHttpConnection;
import dev.graceful.testkit.RawHttpConnection.Close;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An asynchronous request's first dispatch may still be returning through Tomcat when the listener
 * closes: graceful's filter or valve has let it go, and Tomcat has not yet put its processor back
 * on the connection. A valve outside graceful's holds the dispatch there, so the window is open for
 * as long as the test needs (in the kit it is microseconds wide, and was hit once in CI).
 */
class TomcatDispatchReturningIT {

    private static final String FOLLOWER = "graceful-tomcat-close-after-response";

    private final Map<String, AsyncContext> held = new ConcurrentHashMap<>();
    private final CountDownLatch dispatchReturning = new CountDownLatch(1);
    private final CountDownLatch letDispatchReturn = new CountDownLatch(1);
    private final HttpServlet servlet = new HttpServlet() {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            response.setContentType("text/plain");
            if (request.getParameter("stream") != null) {
                response.getOutputStream().write("head,".getBytes(StandardCharsets.US_ASCII));
                response.flushBuffer();
            }
            held.put(request.getParameter("id"), async);
        }
    };
    private KitServer server;

    /** Holds the dispatch of {@code /held?id=s...} after the application and graceful returned. */
    private final class HoldWhileReturning extends ValveBase {
        HoldWhileReturning() {
            super(true);
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            getNext().invoke(request, response);
            String id = request.getParameter("id");
            if (id != null && id.startsWith("s") && request.isAsyncStarted()) {
                dispatchReturning.countDown();
                try {
                    letDispatchReturn.await(AT_MOST.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        letDispatchReturn.countDown();
        held.values().forEach(AsyncContext::complete);
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"filter,plain", "filter,stream", "valve,plain", "valve,stream"})
    void aConnectionWhoseDispatchIsStillReturningWhenTheListenerClosesClosesAfterItsResponse(String mode)
            throws Exception {
        boolean valve = mode.startsWith("valve");
        boolean stream = mode.endsWith("stream");
        GracefulShutdown graceful = GracefulShutdown.create(GracefulConfig.builder()
                .readinessDelay(Duration.ZERO)
                .closeTimeout(Duration.ofSeconds(5))
                .build());
        server = Servers.tomcat(
                graceful,
                Map.of("/held", servlet),
                valve,
                context -> context.getParent().getPipeline().addValve(new HoldWhileReturning()));
        graceful.markReady();
        // Keeps the drain open: the connection must close after its response, not at the final close.
        try (RawHttpConnection other = RawHttpConnection.open(server.port());
                RawHttpConnection c = RawHttpConnection.open(server.port())) {
            other.send("GET", "/held?id=other", null);
            soon().until(() -> held.containsKey("other"));
            c.send("GET", "/held?id=s" + (stream ? "&stream=1" : ""), null);
            assertThat(dispatchReturning.await(AT_MOST.toSeconds(), TimeUnit.SECONDS))
                    .as("the dispatch is held after graceful let it go")
                    .isTrue();
            if (stream) {
                assertThat(c.readHead().status()).isEqualTo(200);
                assertThat(c.readChunk()).isEqualTo("head,");
            }

            graceful.shutdown("test");
            ConnectProbe.awaitRefused("127.0.0.1", server.port(), AT_MOST);
            letDispatchReturn.countDown();
            // The participant asks a connection held by a dispatch again from a thread it starts
            // before the listener closes, and that ends once every such connection was asked: the
            // application answers after that.
            soon().alias("asked after its dispatch returned").until(TomcatDispatchReturningIT::noFollower);

            AsyncContext s = held.remove("s");
            s.getResponse().getOutputStream().write("tail".getBytes(StandardCharsets.US_ASCII));
            s.complete();
            if (stream) {
                StringBuilder rest = new StringBuilder();
                String chunk;
                while ((chunk = c.readChunk()) != null) {
                    rest.append(chunk);
                }
                assertThat(rest.toString()).isEqualTo("tail");
            } else {
                RawHttpConnection.Response response = c.read();
                assertThat(response.body()).isEqualTo("tail");
                assertThat(response.connectionClose()).as("Connection: close").isTrue();
            }
            assertThat(c.awaitClose(AT_MOST)).as("closed after its response").isEqualTo(Close.EOF);
            assertThat(graceful.phase())
                    .as("closed while the drain still waits for another request")
                    .isEqualTo(Phase.AWAITING_IN_FLIGHT);

            held.remove("other").complete();
            assertThat(other.read().status()).isEqualTo(200);
        }
        assertThat(awaitReport(graceful).isClean()).isTrue();
    }

    private static boolean noFollower() {
        return Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals(FOLLOWER) && t.isAlive());
    }
}
