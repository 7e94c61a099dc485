package dev.graceful.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The systemd template unit's stop budget and signals against graceful's sequence. */
class SystemdUnitTest {

    private static final Map<String, String> SERVICE = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws IOException {
        String section = "";
        for (String line : Files.readAllLines(Kit.KIT.resolve("systemd/app@.service"))) {
            String l = line.strip();
            if (l.startsWith("[")) {
                section = l;
            } else if (section.equals("[Service]") && !l.startsWith("#") && l.contains("=")) {
                SERVICE.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
    }

    @Test
    void timeoutStopSecCoversTheSequenceOfAnInstanceBehindNginx() {
        // Behind nginx, deploy.sh drains nginx before it signals: readiness delay 0s (the default),
        // the example's default drain timeout (30s), and room for one shutdown task with the default
        // timeout (the examples register none).
        Duration timeoutStop = Durations.parse(SERVICE.get("TimeoutStopSec"));
        GracefulConfig config = GracefulConfig.builder()
                .readinessDelay(GracefulConfig.DEFAULT_READINESS_DELAY)
                .drainTimeout(GracefulConfig.DEFAULT_DRAIN_TIMEOUT)
                .budget(timeoutStop)
                .build();
        assertThatCode(() -> config.checkFitsBudget(GracefulConfig.DEFAULT_TASK_TIMEOUT, "the example's task"))
                .doesNotThrowAnyException();
    }

    @Test
    void deployShStopTimeoutDefaultMatchesTheUnit() throws IOException {
        Matcher m = Pattern.compile("(?m)^stop_timeout=\"([^\"]+)\"").matcher(Files.readString(Kit.DEPLOY_SH));
        assertThat(m.find()).isTrue();
        assertThat(Durations.parse(m.group(1))).isEqualTo(Durations.parse(SERVICE.get("TimeoutStopSec")));
    }

    @Test
    void stopsWithSigtermToTheJvmOnlyAndReloadsWithSighup() {
        assertThat(SERVICE)
                .containsEntry("KillSignal", "SIGTERM")
                .containsEntry("KillMode", "mixed")
                .containsEntry("ReloadSignal", "SIGHUP");
        assertThat(SERVICE.get("ExecStart")).contains("bin/start --port %i");
    }

    @Test
    void speaksNotifyReloadWithoutASecondSighupFromExecReload() {
        // notify-reload: systemd sends SIGHUP itself and waits for RELOADING=1 then READY=1 (graceful-core
        // on Java 22+); an ExecReload that also sent SIGHUP would reload twice.
        assertThat(SERVICE)
                .containsEntry("Type", "notify-reload")
                .containsEntry("NotifyAccess", "main")
                .doesNotContainKey("ExecReload");
        assertThat(SERVICE.get("Environment")).contains("--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void documentsTheVariantsForOlderSystemdAndForJava17() throws IOException {
        String unit = Files.readString(Kit.KIT.resolve("systemd/app@.service"));
        assertThat(unit)
                .contains("systemd older than 253:  Type=notify  and  ExecReload=/bin/kill -HUP $MAINPID")
                .contains("the app on Java 17-21:   Type=exec    and  ExecReload=/bin/kill -HUP $MAINPID");
    }
}
