package dev.graceful.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On Java 17-21 systemd notify is off: one INFO line says so, nothing else changes. */
class SystemdNotifyJava17IT {

    @Test
    void onJava17To21OneInfoLineSaysNotifyNeedsJava22AndTheServiceRunsAsBefore(@TempDir Path dir) throws Exception {
        assumeTrue(
                Runtime.version().feature() < 22,
                "on Java 22+ graceful sends notify messages: SystemdNotifyIT covers it");
        try (ChildAppProcess child = ChildAppProcess.start(
                Map.of("NOTIFY_SOCKET", dir.resolve("notify.sock").toString()), List.of(), "--reload")) {
            assertThat(child.health("/healthz")).isEqualTo(200);
            child.jvm.signal("HUP");
            child.awaitLine("RELOADED 1");
            child.jvm.signal("TERM");
            assertThat(child.jvm.awaitExit(Duration.ofSeconds(20))).isZero();
            List<String> notify = child.output()
                    .lines()
                    .filter(l -> l.contains("systemd notify"))
                    .toList();
            assertThat(notify).hasSize(1);
            assertThat(notify.get(0)).contains("INFO", "needs Java 22+", "Type=exec");
        }
    }

    @Test
    void withoutNotifySocketNothingIsLoggedAboutIt() throws Exception {
        try (ChildAppProcess child = ChildAppProcess.start()) {
            assertThat(child.health("/healthz")).isEqualTo(200);
            child.jvm.signal("TERM");
            assertThat(child.jvm.awaitExit(Duration.ofSeconds(20))).isZero();
            assertThat(child.output()).doesNotContain("systemd notify", "NOTIFY_SOCKET");
        }
    }
}
