package dev.graceful;

import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * The Java snippets of README.md and graceful-core/README.md, verbatim, so that the build compiles
 * them on Java 17. Never run. Each region between the {@code readme-snippet} markers is the Markdown
 * block as it stands in the files it names; tools/architecture's ReadmeSnippetsTest fails when a
 * README's Java block and its region here differ, or when a block has no region.
 */
@SuppressWarnings("try") // the snippets' resources are there to be closed, not read
final class ReadmeSnippets {

    private ReadmeSnippets() {}

    static void quickStart(ExecutorService pool) {
        // spotless:off
        // readme-snippet: README.md, graceful-core/README.md
        GracefulShutdown graceful = GracefulShutdown.create(GracefulConfig.builder()
                .readinessDelay(Duration.ofSeconds(5))
                .drainTimeout(Duration.ofSeconds(20))
                .build());
        Tracker jobs = graceful.tracker("job");
        graceful.addShutdownTask("close-pool", pool::shutdown);
        HealthServer.start(graceful, 8081);            // /healthz, /readyz, /livez
        graceful.installSignalHandlers();              // SIGTERM/SIGINT: drain, then exit
        graceful.markReady();
        try (Work work = jobs.begin("nightly-report")) { runReport(); }
        // end readme-snippet
        // spotless:on
    }

    static void trackingWork(GracefulShutdown graceful, Order order) {
        // spotless:off
        // readme-snippet: graceful-core/README.md
        Tracker http = graceful.tracker("http");
        if (http.tryEnter()) { try { serve(); } finally { http.exit(); } }   // lock- and allocation-free
        try (Work w = graceful.tracker("message").begin("order 42")) { handle(); }  // described: reported by name and age if stuck
        Work m = graceful.tracker("message").tryBegin(order, Order::describe);        // described only if reported: nothing formatted per unit
        // end readme-snippet
        // spotless:on
    }

    /** What an adapter's connection offers, for the long-lived snippet. */
    interface Connection {
        void sendClose(int code);

        void abort();

        void onClosed(Runnable action);
    }

    static void longLived(GracefulShutdown graceful, Connection connection) {
        // spotless:off
        // readme-snippet: graceful-core/README.md
        Work handle = graceful.longLived("websocket").open("GET /ws", new Departure() {
            public void goAway() { connection.sendClose(1001); }   // Close 1001 (an event stream: its last chunk)
            public void cut() { connection.abort(); }               // it did not answer in time
        });
        connection.onClosed(handle::close);                         // however it closed
        // end readme-snippet
        // spotless:on
    }

    private static void runReport() {}

    private static void serve() {}

    private static void handle() {}

    /** What a message consumer holds anyway. */
    record Order(long id) {
        static String describe(Order o) {
            return "order " + o.id();
        }
    }
}
