package dev.graceful.examples.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.graceful.testkit.NotifyReceiver;
import dev.graceful.testkit.NotifyReceiver.Datagram;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example reloads on SIGHUP (one INFO line, {@code reloaded (N)}) and, on Java 22+, tells
 * systemd about it and about its drain through {@code NOTIFY_SOCKET}, as the deploy kit's
 * {@code Type=notify-reload} unit expects.
 */
class ExampleNotifyIT {

    private static final Duration AT_MOST = Duration.ofSeconds(30);

    static java.util.stream.Stream<String> examples() {
        return ExampleContractIT.examples();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void sighupLogsReloadedAndTheAppKeepsServing(String name) throws Exception {
        try (ExampleProcess example = ExampleProcess.start(name, "reload", "--version", "v7")) {
            example.jvm.signal("HUP");
            example.jvm.output().awaitLine(line -> line.contains("reloaded (1)"), AT_MOST);
            example.jvm.signal("HUP");
            example.jvm.output().awaitLine(line -> line.contains("reloaded (2)"), AT_MOST);
            assertThat(Http.exchange(example.port, "GET", "/", null).body().trim())
                    .isEqualTo("hello from v7");
            assertThat(example.jvm.isAlive()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void speaksSystemdNotifyThroughAReloadAndADrain(String name, @TempDir Path dir) throws Exception {
        assumeTrue(
                NotifyReceiver.isSupported(),
                "systemd notify needs Java 22+ (this is Java "
                        + Runtime.version().feature() + "); sighupLogsReloadedAndTheAppKeepsServing runs everywhere");
        try (NotifyReceiver systemd =
                        NotifyReceiver.bind(dir.resolve("notify.sock").toString());
                ExampleProcess example = ExampleProcess.start(
                        name,
                        "notify",
                        Map.of(
                                "NOTIFY_SOCKET", systemd.address(),
                                "JAVA_HOME", System.getProperty("java.home"),
                                "JAVA_OPTS", "--enable-native-access=ALL-UNNAMED"),
                        "--version",
                        "v7")) {
            Datagram ready = systemd.await("READY=1", AT_MOST);
            example.jvm.signal("HUP");
            Datagram reloading = systemd.await("RELOADING=1", ready, AT_MOST);
            Datagram reloaded = systemd.await("READY=1", reloading, AT_MOST);
            assertThat(Http.exchange(example.port, "GET", "/", null).body().trim())
                    .isEqualTo("hello from v7");

            CompletableFuture.runAsync(() -> Http.statusOrZero(example.port, "GET", "/work?ms=3000"));
            org.awaitility.Awaitility.await()
                    .atMost(AT_MOST)
                    .until(() -> Http.exchange(example.port, "GET", "/healthz", null)
                            .body()
                            .contains("\"inFlight\":1"));
            example.jvm.signal("TERM");
            Datagram stopping = systemd.await("STOPPING=1", reloaded, AT_MOST);
            assertThat(stopping.text()).contains("1 in flight", "EXTEND_TIMEOUT_USEC=");
            assertThat(example.jvm.awaitExit(AT_MOST)).isZero();
            systemd.await("STATUS=stopped: exit status 0", stopping, AT_MOST);
            System.out.printf(
                    "[notify] %s, in order:%n%s%n",
                    name,
                    systemd.received().stream()
                            .map(d -> "  " + d.text().replace("\n", " | "))
                            .collect(Collectors.joining("\n")));
            assertThat(example.output()).doesNotContain("WARN");
        }
    }
}
