package dev.graceful.internal;

import dev.graceful.Durations;
import dev.graceful.GracefulShutdown;
import dev.graceful.ReloadCallback;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reload callbacks, run in order on a thread of their own. Requests that arrive while a
 * reload runs are coalesced into one more run: a burst of SIGHUPs reloads twice, not once per
 * signal, and never misses the last change.
 */
final class Reloads {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final Lifecycle lifecycle;
    private final Scheduler clock;
    private final SystemdNotify notify; // null without systemd notify
    private final Map<String, ReloadCallback> callbacks = new LinkedHashMap<>(); // guarded by lifecycle.lock()
    private final Object requestLock = new Object();
    private CompletableFuture<Void> pending; // guarded by requestLock
    private boolean running; // guarded by requestLock

    Reloads(Lifecycle lifecycle, Scheduler clock, SystemdNotify notify) {
        this.lifecycle = lifecycle;
        this.clock = clock;
        this.notify = notify;
    }

    /**
     * Registers a callback.
     *
     * @return how many callbacks are registered now
     */
    int add(String name, ReloadCallback callback) {
        String n = Names.check("reload callback", name);
        Objects.requireNonNull(callback, "callback");
        synchronized (lifecycle.lock()) {
            if (callbacks.containsKey(n)) {
                throw new IllegalArgumentException("a reload callback named '" + n + "' is already registered");
            }
            callbacks.put(n, callback);
            return callbacks.size();
        }
    }

    /** Whether any callback is registered; the caller holds the lifecycle's lock. */
    boolean isEmpty() {
        return callbacks.isEmpty();
    }

    CompletableFuture<Void> request() {
        if (lifecycle.shutdownStarted()) {
            log.info("Reload ignored: the service is shutting down ({})", lifecycle.phase());
            return CompletableFuture.completedFuture(null);
        }
        synchronized (requestLock) {
            if (pending == null) {
                pending = new CompletableFuture<>();
            }
            CompletableFuture<Void> mine = pending;
            if (!running) {
                running = true;
                Thread t = new Thread(this::runPending, "graceful-reload");
                t.setDaemon(true);
                t.start();
            }
            return mine;
        }
    }

    private void runPending() {
        while (true) {
            CompletableFuture<Void> current;
            List<Map.Entry<String, ReloadCallback>> toRun;
            synchronized (requestLock) {
                current = pending;
                if (current == null) {
                    running = false;
                    return;
                }
                pending = null;
            }
            synchronized (lifecycle.lock()) {
                toRun = new ArrayList<>(callbacks.entrySet());
            }
            long start = clock.nanoTime();
            int failed = 0;
            log.info("Reload: running {} callback(s)", toRun.size());
            if (notify != null) {
                notify.reloading();
            }
            for (Map.Entry<String, ReloadCallback> e : toRun) {
                try {
                    e.getValue().reload();
                } catch (Exception | LinkageError | AssertionError ex) {
                    failed++;
                    log.warn("Reload callback '{}' failed; the service keeps running", e.getKey(), ex);
                }
            }
            log.info(
                    "Reload done in {}: {} callback(s), {} failed",
                    Durations.format(Duration.ofNanos(Math.max(0, clock.nanoTime() - start))),
                    toRun.size(),
                    failed);
            if (notify != null) {
                notify.reloaded(toRun.size(), failed);
            }
            current.complete(null);
        }
    }
}
