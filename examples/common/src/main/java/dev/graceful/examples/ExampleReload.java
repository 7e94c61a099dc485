package dev.graceful.examples;

import dev.graceful.GracefulShutdown;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The examples' reload callback: SIGHUP (or {@code systemctl reload}) logs one INFO line,
 * {@code reloaded (N)}, N counting the reloads, so a reload is observable; the app keeps serving.
 * An app with a real configuration would re-read it here.
 */
public final class ExampleReload {

    private static final Logger log = LoggerFactory.getLogger(ExampleReload.class);

    private final AtomicInteger reloads = new AtomicInteger();

    private ExampleReload() {}

    /**
     * Registers the callback (as {@code "example"}) with {@code graceful}.
     *
     * @param graceful the coordinator
     * @return the callback's state
     */
    public static ExampleReload register(GracefulShutdown graceful) {
        ExampleReload reload = new ExampleReload();
        graceful.addReloadCallback("example", () -> log.info("reloaded ({})", reload.reloads.incrementAndGet()));
        return reload;
    }

    /** How many reloads ran. */
    public int count() {
        return reloads.get();
    }
}
