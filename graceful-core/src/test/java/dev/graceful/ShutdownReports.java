package dev.graceful;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

/** Waits for a shutdown that a test has set going to end, and hands back its report. */
public final class ShutdownReports {

    private ShutdownReports() {}

    public static ShutdownReport awaitReport(GracefulShutdown g) {
        await().atMost(Duration.ofSeconds(10)).until(() -> g.termination().isDone());
        return g.termination().join();
    }
}
