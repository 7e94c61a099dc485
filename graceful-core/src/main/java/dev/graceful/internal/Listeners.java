package dev.graceful.internal;

import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import dev.graceful.Tracker;
import dev.graceful.Transition;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered {@link GracefulListener}s. Each is called on the thread that caused the event; a
 * listener that throws is logged and skipped, so a broken metrics binder cannot stop a shutdown.
 */
final class Listeners {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final List<GracefulListener> listeners = new CopyOnWriteArrayList<>();

    void add(GracefulListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void remove(GracefulListener listener) {
        listeners.remove(listener);
    }

    void transition(Transition transition) {
        tell("onTransition", l -> l.onTransition(transition));
    }

    void trackerCreated(Tracker tracker) {
        tell("onTrackerCreated", l -> l.onTrackerCreated(tracker));
    }

    void shutdownComplete(ShutdownReport report) {
        tell("onShutdownComplete", l -> l.onShutdownComplete(report));
    }

    private void tell(String what, Consumer<GracefulListener> event) {
        for (GracefulListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException | LinkageError e) {
                log.warn("Listener {} failed in {}", l, what, e);
            }
        }
    }
}
