package dev.graceful.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What systemd hears and when, through a recording sender (the socket itself: SystemdNotifyIT, Java 22+). */
class SystemdNotifyTest {

    private final ManualScheduler clock = new ManualScheduler();
    private final Listeners listeners = new Listeners();
    private final Lifecycle lifecycle = new Lifecycle(clock, listeners, org.slf4j.LoggerFactory.getLogger(getClass()));
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final GracefulConfig config = GracefulConfig.defaults();

    @AfterEach
    void stopClock() {
        clock.close();
    }

    private SystemdNotify notify(SystemdNotify.Sender sender) {
        SystemdNotify n = new SystemdNotify(sender, config, lifecycle, () -> 3, () -> Duration.ofSeconds(40));
        listeners.add(n);
        return n;
    }

    @Test
    void readyThenStoppingWithStatusAndTheRemainingWorstCasePlusTheWatchdogMargin() {
        notify(sent::add);
        lifecycle.markReady();
        assertThat(sent).containsExactly("READY=1\nSTATUS=ready: taking traffic");

        lifecycle.startShutdown("SIGTERM", () -> {});
        assertThat(sent.get(1))
                .isEqualTo("STOPPING=1\nSTATUS=shutting down (SIGTERM): READINESS_DELAY, 3 in flight, at most 40s left"
                        + "\nEXTEND_TIMEOUT_USEC=45000000");
    }

    @Test
    void aReloadIsReloadingWithTheMonotonicClockThenReadyButNotReadyOnceTheShutdownStarted() {
        SystemdNotify n = notify(sent::add);
        lifecycle.markReady();
        long before = System.nanoTime() / 1000;
        n.reloading();
        long after = System.nanoTime() / 1000;
        n.reloaded(2, 1);
        assertThat(sent.get(1)).startsWith("RELOADING=1\nMONOTONIC_USEC=");
        long usec = Long.parseLong(sent.get(1).split("\n")[1].substring("MONOTONIC_USEC=".length()));
        assertThat(usec).isBetween(before, after);
        assertThat(sent.get(2)).isEqualTo("READY=1\nSTATUS=ready: reloaded (2 callback(s), 1 failed)");

        lifecycle.startShutdown("SIGTERM", () -> {});
        n.reloading();
        n.reloaded(2, 0);
        assertThat(sent.get(sent.size() - 1)).startsWith("RELOADING=1");
    }

    @Test
    void aFailingSendNeverReachesTheApplication() {
        List<String> tried = new CopyOnWriteArrayList<>();
        notify(message -> {
            tried.add(message);
            throw new IOException("No such file or directory");
        });
        assertThatCode(() -> {
                    lifecycle.markReady();
                    lifecycle.startShutdown("SIGTERM", () -> {});
                })
                .doesNotThrowAnyException();
        assertThat(tried).hasSize(2);
    }

    @Test
    void watchdogPingsOnlyForThisProcess() {
        List<String> toOther = new CopyOnWriteArrayList<>();
        notify(toOther::add).startWatchdog(Map.of("WATCHDOG_USEC", "20000", "WATCHDOG_PID", "1"));
        notify(sent::add)
                .startWatchdog(Map.of(
                        "WATCHDOG_USEC",
                        "20000",
                        "WATCHDOG_PID",
                        Long.toString(ProcessHandle.current().pid())));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> sent.stream().filter("WATCHDOG=1"::equals).count() >= 5);
        assertThat(toOther).isEmpty();
    }

    @Test
    void withoutNotifySocketThereIsNoNotifier() {
        assertThat(SystemdNotify.fromEnvironment(Map.of(), config, lifecycle, () -> 0, () -> Duration.ZERO))
                .isNull();
    }
}
