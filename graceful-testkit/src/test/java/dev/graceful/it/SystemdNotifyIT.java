package dev.graceful.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graceful.testkit.NotifyReceiver;
import dev.graceful.testkit.NotifyReceiver.Datagram;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * systemd's notify protocol from a real child JVM with real signals, received on a real datagram
 * Unix socket as systemd would. Java 22+ ({@link NotifyReceiver}); {@link SystemdNotifyJava17IT}
 * covers 17-21.
 */
class SystemdNotifyIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<String> NATIVE = List.of("--enable-native-access=ALL-UNNAMED");

    @TempDir
    static Path dir;

    private NotifyReceiver systemd;

    @BeforeAll
    static void java22() {
        assumeTrue(
                NotifyReceiver.isSupported(),
                "systemd notify sends through the FFM API: Java 22+ only (this is Java "
                        + Runtime.version().feature() + "); SystemdNotifyJava17IT covers 17-21");
    }

    @AfterEach
    void closeReceiver() {
        if (systemd != null) {
            systemd.close();
        }
    }

    private ChildAppProcess start(String address, Map<String, String> env, String... args) throws Exception {
        systemd = NotifyReceiver.bind(address);
        Map<String, String> all = new HashMap<>(env);
        all.put("NOTIFY_SOCKET", systemd.address());
        return ChildAppProcess.start(all, NATIVE, args);
    }

    private static String path() {
        return dir.resolve("notify-" + System.nanoTime() + ".sock").toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"path", "abstract"})
    void readyComesOnlyOnceHealthzAnswers200(String kind) throws Exception {
        String address = kind.equals("path")
                ? path()
                : "@graceful-notify-it-" + ProcessHandle.current().pid();
        try (ChildAppProcess child = start(address, Map.of(), "--ready-on-request")) {
            // The port is bound and serving, but the app has not called markReady(): no READY.
            assertThat(child.health("/healthz")).isEqualTo(503);
            assertThat(systemd.received()).noneMatch(d -> d.text().contains("READY=1"));

            assertThat(child.ready()).isEqualTo("markReady true");
            Datagram ready = systemd.await("READY=1", WAIT);
            assertThat(child.health("/healthz")).isEqualTo(200);
            assertThat(ready.text()).contains("STATUS=ready");
            assertThat(child.output()).doesNotContain("WARN");
        }
    }

    @Test
    void sigtermSendsStoppingAtOnceThenStatusWithTheInFlightCountAndExtendsTheTimeout() throws Exception {
        try (ChildAppProcess child = start(path(), Map.of(), "--drain-timeout", "60s")) {
            systemd.await("READY=1", WAIT);
            CompletableFuture<HttpResponse<String>> held = child.hold("a");
            await().atMost(WAIT).until(() -> child.healthBody("/livez").contains("\"inFlight\":1"));

            long signalled = child.jvm.signal("TERM");
            Datagram stopping = systemd.await("STOPPING=1", WAIT);
            long ms = TimeUnit.NANOSECONDS.toMillis(stopping.nanos() - signalled);
            System.out.printf("[measure] SIGTERM -> STOPPING=1 received: %d ms%n", ms);
            assertThat(ms)
                    .as("STOPPING=1 soon after SIGTERM (100 ms unloaded; generous here)")
                    .isLessThan(2000);
            assertThat(stopping.text()).contains("STATUS=shutting down (SIGTERM)", "1 in flight");

            // Renewed while the drain waits: the remaining worst case shrinks, never below the drain's.
            Datagram renewed = systemd.await("AWAITING_IN_FLIGHT", stopping, WAIT);
            Datagram again = systemd.await("EXTEND_TIMEOUT_USEC=", renewed, WAIT);
            long first = extension(stopping);
            long later = extension(again);
            assertThat(first).isGreaterThan(TimeUnit.SECONDS.toMicros(60));
            assertThat(later).isLessThan(first).isGreaterThan(TimeUnit.SECONDS.toMicros(50));
            assertThat(renewed.text()).contains("1 in flight");

            child.release("a");
            assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(child.jvm.awaitExit(WAIT)).isZero();
            assertThat(systemd.await("STATUS=stopped: exit status 0", WAIT)).isNotNull();
        }
    }

    private static long extension(Datagram d) {
        Matcher m = Pattern.compile("EXTEND_TIMEOUT_USEC=(\\d+)").matcher(d.text());
        assertThat(m.find()).as(d.text()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void sighupSendsReloadingWithTheMonotonicClockThenReadyAndKeepsServing() throws Exception {
        try (ChildAppProcess child = start(path(), Map.of(), "--reload")) {
            Datagram ready = systemd.await("READY=1", WAIT);
            child.jvm.signal("HUP");
            Datagram reloading = systemd.await("RELOADING=1", ready, WAIT);
            Matcher m = Pattern.compile("MONOTONIC_USEC=(\\d+)").matcher(reloading.text());
            assertThat(m.find()).as(reloading.text()).isTrue();
            long skewUs = Math.abs(reloading.monotonicUsec() - Long.parseLong(m.group(1)));
            System.out.printf("[measure] MONOTONIC_USEC vs the receiver's CLOCK_MONOTONIC: %d us%n", skewUs);
            assertThat(skewUs).as("CLOCK_MONOTONIC, as systemd reads it").isLessThan(1_000_000);
            assertThat(child.health("/healthz")).isEqualTo(200);

            Datagram readyAgain = systemd.await("READY=1", reloading, WAIT);
            assertThat(readyAgain.text()).contains("reloaded (1 callback(s), 0 failed)");
            child.awaitLine("RELOADED 1");
            assertThat(child.health("/healthz")).isEqualTo(200);
            assertThat(child.jvm.isAlive()).isTrue();
        }
    }

    @Test
    void watchdogPingsAtHalfTheRequestedInterval() throws Exception {
        try (ChildAppProcess child = start(path(), Map.of("WATCHDOG_USEC", "400000"))) {
            // From the third ping: the first ones may come late, while the JVM still warms up.
            Datagram firstPing = systemd.await("WATCHDOG=1", WAIT);
            firstPing = systemd.await("WATCHDOG=1", systemd.await("WATCHDOG=1", firstPing, WAIT), WAIT);
            Datagram ping = firstPing;
            for (int i = 0; i < 10; i++) {
                ping = systemd.await("WATCHDOG=1", ping, WAIT);
            }
            double everyMs = (ping.nanos() - firstPing.nanos()) / 10 / 1e6;
            System.out.printf("[measure] WATCHDOG=1 every %.0f ms (WATCHDOG_USEC=400000)%n", everyMs);
            assertThat(everyMs).as("half of 400 ms").isBetween(150.0, 300.0);
            assertThat(child.jvm.isAlive()).isTrue();
        }
    }

    @Test
    void noWatchdogPingsWhenSystemdAskedAnotherProcess() throws Exception {
        try (ChildAppProcess child = start(path(), Map.of("WATCHDOG_USEC", "100000", "WATCHDOG_PID", "1"))) {
            Datagram ready = systemd.await("READY=1", WAIT);
            child.jvm.signal("TERM");
            assertThat(child.jvm.awaitExit(WAIT)).isZero();
            systemd.await("STATUS=stopped", ready, WAIT);
            assertThat(systemd.received()).noneMatch(d -> d.text().contains("WATCHDOG"));
        }
    }

    @Test
    void aSocketThatIsGoneIsOneWarningAndTheServiceRunsOn() throws Exception {
        Path gone = dir.resolve("gone.sock");
        try (ChildAppProcess child =
                ChildAppProcess.start(Map.of("NOTIFY_SOCKET", gone.toString()), List.of(), "--reload")) {
            child.jvm.signal("HUP");
            child.awaitLine("RELOADED 1");
            assertThat(child.health("/healthz")).isEqualTo(200);
            child.jvm.signal("TERM");
            assertThat(child.jvm.awaitExit(WAIT)).isZero();
            List<String> warnings = new ArrayList<>();
            for (String line : child.output().split("\n")) {
                if (line.contains("WARN") && line.contains("systemd notify")) {
                    warnings.add(line);
                }
            }
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0)).contains("cannot send to NOTIFY_SOCKET");
            // Without --enable-native-access the JVM warns about the restricted call, and that is all.
            assertThat(child.output()).contains("--enable-native-access=ALL-UNNAMED");
            assertThat(Files.exists(gone)).isFalse();
        }
    }
}
