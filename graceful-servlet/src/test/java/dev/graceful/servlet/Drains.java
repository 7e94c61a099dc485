package dev.graceful.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import dev.graceful.testkit.RawHttpConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;

/** The waits and checks the servlet integration tests share. */
public final class Drains {

    /** How long any one step of a test may take. */
    public static final Duration AT_MOST = Duration.ofSeconds(20);

    private Drains() {}

    /** Polls every 10 ms, from at once, for at most {@link #AT_MOST}. */
    public static ConditionFactory soon() {
        return await().atMost(AT_MOST).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    /**
     * Shuts {@code graceful} down with one idle kept-alive connection open to {@code port}: the
     * shutdown is clean and the connection is closed cleanly (not reset) at the final close.
     */
    public static void shutDownCleanlyWithAnIdleConnection(GracefulShutdown graceful, int port) throws Exception {
        try (RawHttpConnection idle = RawHttpConnection.open(port)) {
            idle.send("GET", "/healthz", null);
            assertThat(idle.read().status()).isEqualTo(200);
            assertThat(graceful.shutdown("test")
                            .get(AT_MOST.toSeconds(), TimeUnit.SECONDS)
                            .isClean())
                    .isTrue();
            assertThat(idle.awaitClose(AT_MOST))
                    .as("the idle connection was closed at the final close")
                    .isEqualTo(RawHttpConnection.Close.EOF);
        }
    }

    /** The report of a shutdown already under way. */
    public static ShutdownReport awaitReport(GracefulShutdown graceful) throws Exception {
        return graceful.termination().get(AT_MOST.toSeconds() * 2, TimeUnit.SECONDS);
    }
}
