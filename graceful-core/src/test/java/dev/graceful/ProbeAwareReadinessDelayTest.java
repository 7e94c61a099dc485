package dev.graceful;

import static dev.graceful.ShutdownReports.awaitReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.internal.DefaultGracefulShutdown;
import dev.graceful.internal.ManualScheduler;
import dev.graceful.internal.RecordingProcess;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The readiness delay with {@link GracefulConfig#readinessProbes()}: a maximum that probers can end early. */
class ProbeAwareReadinessDelayTest {

    private static final String HAPROXY = "10.0.0.1";
    private static final String KUBELET = "10.0.0.2";
    private static final String KUBE_PROBE = "kube-probe/1.29";

    @AutoClose
    private final ManualScheduler clock = new ManualScheduler();

    private GracefulShutdown graceful;
    private HealthEndpoint health;
    private RecordingParticipant server;

    private void create(int probes, Duration maxDelay, Duration settle) {
        graceful = new DefaultGracefulShutdown(
                GracefulConfig.builder()
                        .readinessDelay(maxDelay)
                        .readinessProbes(probes)
                        .readinessSettleMargin(settle)
                        .build(),
                clock,
                new RecordingProcess());
        health = HealthEndpoint.of(graceful);
        server = RecordingParticipant.registeredWith(graceful, "server");
        graceful.markReady();
    }

    private int probe(String address, String userAgent) {
        return health.respond("GET", "/healthz", address, userAgent).status();
    }

    private void assertStillInTheDelay() {
        clock.awaitIdle();
        assertThat(graceful.phase()).isEqualTo(Phase.READINESS_DELAY);
        assertThat(server.calls).isEmpty();
    }

    private Duration delayTaken() {
        await().atMost(Duration.ofSeconds(5)).until(() -> server.calls.contains("server.stopAccepting"));
        return awaitReport(graceful).readinessDelay();
    }

    @Test
    void endsOnceEveryProberSeenBeforeTheShutdownWasAnsweredNotReadyNTimesPlusTheSettleMargin() {
        create(2, Duration.ofSeconds(10), Duration.ofMillis(250));
        assertThat(probe(HAPROXY, null)).isEqualTo(200);
        assertThat(probe(KUBELET, KUBE_PROBE)).isEqualTo(200);
        clock.advance(Duration.ofMillis(300));

        graceful.shutdown("deploy");
        clock.advance(Duration.ofMillis(300));
        assertThat(probe(HAPROXY, null)).isEqualTo(503);
        assertThat(probe(KUBELET, KUBE_PROBE)).isEqualTo(503);
        clock.advance(Duration.ofMillis(300));
        assertThat(probe(HAPROXY, null)).isEqualTo(503);
        assertStillInTheDelay();
        clock.advance(Duration.ofMillis(100));
        assertThat(probe(KUBELET, KUBE_PROBE)).isEqualTo(503);
        clock.advance(Duration.ofMillis(249));
        assertStillInTheDelay();
        clock.advance(Duration.ofMillis(1));

        assertThat(delayTaken()).isEqualTo(Duration.ofMillis(950));
    }

    @Test
    void tellsProbersApartByUserAgentAndNotByPort() {
        create(1, Duration.ofSeconds(10), Duration.ZERO);
        probe(HAPROXY, null);
        probe(HAPROXY, "curl/8.5");

        graceful.shutdown("deploy");
        clock.advance(Duration.ofMillis(100));
        probe(HAPROXY, null);
        probe(HAPROXY, null);
        assertStillInTheDelay();
        clock.advance(Duration.ofMillis(100));
        probe(HAPROXY, "curl/8.5");

        assertThat(delayTaken()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void runsToItsMaximumWhenAProberStopsPolling() {
        create(2, Duration.ofSeconds(3), Duration.ofMillis(250));
        probe(HAPROXY, null);
        probe(KUBELET, KUBE_PROBE);

        graceful.shutdown("deploy");
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMillis(300));
            probe(HAPROXY, null);
        }
        probe(KUBELET, KUBE_PROBE);
        clock.advance(Duration.ofMillis(1000));
        assertStillInTheDelay();
        clock.advance(Duration.ofMillis(500));

        assertThat(delayTaken()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void runsToItsMaximumWhenNoProberWasSeenInTheTenSecondsBeforeTheShutdown() {
        create(1, Duration.ofSeconds(4), Duration.ZERO);
        probe(HAPROXY, null);
        clock.advance(Duration.ofMillis(10_001));

        graceful.shutdown("deploy");
        clock.advance(Duration.ofMillis(100));
        probe(HAPROXY, null);
        probe(KUBELET, KUBE_PROBE);
        clock.advance(Duration.ofMillis(3800));
        assertStillInTheDelay();
        clock.advance(Duration.ofMillis(100));

        assertThat(delayTaken()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void ignoresAProberFirstSeenAfterTheShutdownBegan() {
        create(1, Duration.ofSeconds(10), Duration.ZERO);
        probe(HAPROXY, null);

        graceful.shutdown("deploy");
        clock.advance(Duration.ofMillis(100));
        probe(KUBELET, KUBE_PROBE);
        assertStillInTheDelay();
        clock.advance(Duration.ofMillis(100));
        probe(HAPROXY, null);

        assertThat(delayTaken()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void countsReadinessAnswersToGetAndHeadOnly() {
        create(1, Duration.ofSeconds(2), Duration.ZERO);
        health.respond("GET", "/livez", HAPROXY, null);
        health.respond("POST", "/healthz", HAPROXY, null);
        health.respond("GET", "/healthz", null, null);
        health.respond("GET", "/readyz", KUBELET, null);

        graceful.shutdown("deploy");
        clock.advance(Duration.ofMillis(100));
        health.respond("GET", "/livez", KUBELET, null);
        health.respond("HEAD", "/healthz", HAPROXY, null);
        assertStillInTheDelay();
        health.respond("HEAD", "/readyz", KUBELET, null);

        assertThat(delayTaken()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void neverEndsLaterThanItsMaximumWhateverTheSettleMargin() {
        create(1, Duration.ofSeconds(1), Duration.ofSeconds(5));
        probe(HAPROXY, null);

        graceful.shutdown("deploy");
        clock.advance(Duration.ofMillis(500));
        probe(HAPROXY, null);
        clock.advance(Duration.ofMillis(499));
        assertStillInTheDelay();
        clock.advance(Duration.ofMillis(1));

        assertThat(delayTaken()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void isAFixedDelayWithoutReadinessProbes() {
        create(0, Duration.ofSeconds(2), Duration.ZERO);
        probe(HAPROXY, null);

        graceful.shutdown("deploy");
        clock.advance(Duration.ofMillis(100));
        probe(HAPROXY, null);
        probe(HAPROXY, null);
        clock.advance(Duration.ofMillis(1800));
        assertStillInTheDelay();
        clock.advance(Duration.ofMillis(100));

        assertThat(delayTaken()).isEqualTo(Duration.ofSeconds(2));
    }
}
