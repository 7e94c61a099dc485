package dev.graceful.spring.boot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The starter inside real Spring Boot applications, with Actuator and Micrometer on the class
 * path: Boot's availability model and Actuator probes agree with graceful, a separate management
 * server keeps answering while the application port refuses, and closing the context (the path of
 * {@code graceful.signals.enabled=false}) drains before any bean goes, on every server, with
 * Boot's own {@code server.shutdown=graceful} cooperating rather than waiting out its timeout.
 */
class SpringBootIntegrationIT {

    private static final Duration AT_MOST = Duration.ofSeconds(15);

    private final KitApp kit = new KitApp();
    private final KitClient client = new KitClient(() -> this.port, AT_MOST);
    private ConfigurableApplicationContext context;
    private int port;

    @AfterEach
    void close() throws InterruptedException {
        kit.releaseAll();
        if (context != null) {
            BootServer.closeSoon(context);
        }
    }

    @Test
    void actuatorProbesAgreeWithGracefulAndLivenessStaysUpWhileDraining() throws Exception {
        context = BootServer.TOMCAT.start(
                null,
                kit,
                "graceful.readiness-delay=30s",
                "management.endpoint.health.probes.enabled=true",
                "management.endpoint.health.show-details=always");
        port = BootServer.port(context);
        assertThat(client.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(client.get("/healthz").statusCode()).isEqualTo(200);

        GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
        graceful.shutdown("test");

        HttpResponse<String> readiness = client.get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("OUT_OF_SERVICE");
        assertThat(client.get("/healthz").statusCode()).isEqualTo(503);
        HttpResponse<String> liveness = client.get("/actuator/health/liveness");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(liveness.body()).contains("\"status\":\"UP\"");
        assertThat(client.get("/livez").statusCode()).isEqualTo(200);

        ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
        assertThat(availability.getLivenessState()).isEqualTo(LivenessState.CORRECT);

        HttpResponse<String> health = client.get("/actuator/health");
        assertThat(health.body())
                .contains("\"graceful\"")
                .contains("\"state\":\"DRAINING\"")
                .contains("\"phase\":\"READINESS_DELAY\"")
                .contains("\"inFlight\"");
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        assertThat(registry.get("graceful.state")
                        .tag("state", "draining")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
        assertThat(registry.get("graceful.work.active").tag("kind", "http").gauge())
                .isNotNull();
    }

    @Test
    void aSeparateManagementServerKeepsAnsweringProbesWhileTheApplicationPortRefuses() throws Exception {
        context = BootServer.TOMCAT.start(
                null,
                kit,
                "management.server.port=0",
                "management.server.address=127.0.0.1",
                "management.endpoint.health.probes.enabled=true");
        port = BootServer.port(context);
        int managementPort = context.getEnvironment().getProperty("local.management.port", Integer.class);
        assertThat(managementPort).isNotEqualTo(port);
        KitClient management = new KitClient(() -> managementPort, AT_MOST);
        CompletableFuture<HttpResponse<String>> held = client.getAsync("/hold?id=" + "keep");
        await().atMost(AT_MOST).until(() -> kit.isHeld("keep"));

        context.getBean(GracefulShutdown.class).shutdown("test");
        client.awaitRefused();

        assertThat(management.get("/actuator/health/readiness").statusCode()).isEqualTo(503);
        assertThat(management.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        kit.release("keep");
        assertThat(held.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("released keep");
        ShutdownReport report =
                context.getBean(GracefulShutdown.class).termination().get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.isClean()).isTrue();
        assertThat(management.get("/actuator/health/liveness").statusCode())
                .as("the management server lives until Spring closes it")
                .isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(BootServer.class)
    void closingTheContextDrainsFirstThenBootClosesWithoutWaitingOutItsTimeout(BootServer server) throws Exception {
        context = server.start(null, kit);
        ((DefaultListableBeanFactory) context.getBeanFactory())
                .registerDisposableBean("probe", new DestroyProbe(context.getBean(GracefulShutdown.class)));
        port = BootServer.port(context);
        CompletableFuture<HttpResponse<String>> held = client.getAsync("/hold?id=" + "h");
        await().atMost(AT_MOST).until(() -> kit.isHeld("h"));
        GracefulShutdown graceful = context.getBean(GracefulShutdown.class);

        ConfigurableApplicationContext closing = context;
        Thread closer = new Thread(closing::close, "test-close");
        closer.start();
        client.awaitRefused();
        assertThat(graceful.phase()).isEqualTo(Phase.AWAITING_IN_FLIGHT);
        assertThat(closing.isActive())
                .as("the context is still up while the drain runs")
                .isTrue();
        assertThat(DestroyProbe.events).isEmpty();

        kit.release("h");
        assertThat(held.get(AT_MOST.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("released h");
        long start = System.nanoTime();
        closer.join(AT_MOST.toMillis());
        assertThat(closer.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("Boot's own graceful shutdown finds nothing to wait for (its phase timeout is 30s)")
                .isLessThan(Duration.ofSeconds(10));
        assertThat(DestroyProbe.events).containsExactly("destroyed after STOPPED");
        assertThat(graceful.termination().join().isClean()).isTrue();
        context = null;
    }

    /** Records the coordinator's phase when Spring destroys it. */
    static final class DestroyProbe implements org.springframework.beans.factory.DisposableBean {
        static final List<String> events = new CopyOnWriteArrayList<>();
        private final GracefulShutdown graceful;

        DestroyProbe(GracefulShutdown graceful) {
            this.graceful = graceful;
            events.clear();
        }

        @Override
        public void destroy() {
            events.add("destroyed after " + graceful.phase());
        }
    }
}
