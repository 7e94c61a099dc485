package dev.graceful.servlet;

import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;

/** The waits the servlet integration tests share. */
public final class Drains {

    /** How long any one step of a test may take. */
    public static final Duration AT_MOST = Duration.ofSeconds(20);

    private Drains() {}

    /** Polls every 10 ms, from at once, for at most {@link #AT_MOST}. */
    public static ConditionFactory soon() {
        return await().atMost(AT_MOST).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    /** The report of a shutdown already under way. */
    public static ShutdownReport awaitReport(GracefulShutdown graceful) throws Exception {
        return graceful.termination().get(AT_MOST.toSeconds() * 2, TimeUnit.SECONDS);
    }
}
