package dev.graceful.internal;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.State;
import dev.graceful.Transition;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's notify protocol ({@code sd_notify}): what graceful tells systemd, when. Sending is
 * {@link NotifySocket}'s job (Java 22+ only); this part decides the messages and stays on Java 17.
 *
 * <ul>
 *   <li>{@code READY=1} when the coordinator becomes ready, and again after a reload;</li>
 *   <li>{@code STOPPING=1} with the first phase of a shutdown, then {@code STATUS=} lines and
 *   {@code EXTEND_TIMEOUT_USEC=} renewed every {@link #RENEW_EVERY} with what is left of the
 *   sequence's worst case plus the watchdog margin: systemd applies an extension only past its own
 *   {@code TimeoutStopSec}, so it never SIGKILLs a drain that graceful still bounds;</li>
 *   <li>{@code RELOADING=1} + {@code MONOTONIC_USEC=} before the reload callbacks, as
 *   {@code Type=notify-reload} requires;</li>
 *   <li>{@code WATCHDOG=1} at half of {@code WATCHDOG_USEC} while live, when systemd asks for it.</li>
 * </ul>
 *
 * A failed send is one WARN (later ones DEBUG), never an exception into the application.
 */
final class SystemdNotify implements GracefulListener {

    /** How often a running shutdown renews its timeout extension and status. */
    static final Duration RENEW_EVERY = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    /** Where the messages go; {@link NotifySocket#send} in production. */
    interface Sender {
        void send(String message) throws IOException;
    }

    private final Sender sender;
    private final GracefulConfig config;
    private final Lifecycle lifecycle;
    private final LongSupplier inFlight;
    private final Supplier<Duration> remaining;
    private final AtomicBoolean warned = new AtomicBoolean();
    private final ScheduledThreadPoolExecutor timer;
    private volatile ScheduledFuture<?> renewal;
    private volatile ScheduledFuture<?> watchdog;

    SystemdNotify(
            Sender sender,
            GracefulConfig config,
            Lifecycle lifecycle,
            LongSupplier inFlight,
            Supplier<Duration> remaining) {
        this.sender = sender;
        this.config = config;
        this.lifecycle = lifecycle;
        this.inFlight = inFlight;
        this.remaining = remaining;
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "graceful-notify");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * The notifier for this process's environment, or {@code null} when systemd did not ask for
     * one ({@code NOTIFY_SOCKET} unset) or this JVM cannot send (then {@link NotifySocket} said why).
     */
    static SystemdNotify fromEnvironment(
            Map<String, String> env,
            GracefulConfig config,
            Lifecycle lifecycle,
            LongSupplier inFlight,
            Supplier<Duration> remaining) {
        String address = env.get("NOTIFY_SOCKET");
        if (address == null || address.isEmpty()) {
            log.debug("systemd notify: NOTIFY_SOCKET not set, nothing to notify");
            return null;
        }
        NotifySocket socket;
        try {
            socket = NotifySocket.open(address);
        } catch (IOException | RuntimeException | LinkageError e) {
            log.warn(
                    "systemd notify: cannot use NOTIFY_SOCKET={} ({}); systemd will not hear from graceful",
                    address,
                    e.toString());
            return null;
        }
        if (socket == null) {
            return null;
        }
        SystemdNotify notify = new SystemdNotify(socket::send, config, lifecycle, inFlight, remaining);
        notify.startWatchdog(env);
        log.debug("systemd notify: sending to {}", address);
        return notify;
    }

    /** Pings at half of {@code WATCHDOG_USEC} if systemd asked this process (not a child of it) for them. */
    void startWatchdog(Map<String, String> env) {
        String usec = env.get("WATCHDOG_USEC");
        String pid = env.get("WATCHDOG_PID");
        if (usec == null
                || (pid != null
                        && !pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            return;
        }
        long every;
        try {
            every = Long.parseLong(usec.strip()) / 2;
        } catch (NumberFormatException e) {
            log.warn("systemd notify: WATCHDOG_USEC={} is not a number; no watchdog pings", usec);
            return;
        }
        if (every > 0) {
            watchdog = timer.scheduleAtFixedRate(() -> send("WATCHDOG=1"), 0, every, TimeUnit.MICROSECONDS);
        }
    }

    @Override
    public void onTransition(Transition t) {
        if (t.to() == Phase.READY) {
            send("READY=1\nSTATUS=ready: taking traffic");
        } else if (t.to() == Phase.READINESS_DELAY) {
            send("STOPPING=1\n" + drainStatus());
            renewal = timer.scheduleAtFixedRate(
                    () -> send(drainStatus()), RENEW_EVERY.toMillis(), RENEW_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        } else if (t.to().state() == State.DRAINING) {
            send(drainStatus());
        }
    }

    @Override
    public void onShutdownComplete(ShutdownReport report) {
        cancel(renewal);
        cancel(watchdog);
        send("STATUS=stopped: exit status " + report.exitStatus().code() + " (" + report.exitStatus() + ")");
        timer.shutdown();
    }

    /** Before the reload callbacks run. */
    void reloading() {
        // CLOCK_MONOTONIC, as systemd compares it with its own: HotSpot's nanoTime on Linux is
        // clock_gettime(CLOCK_MONOTONIC) with no offset (SystemdNotifyIT checks it against the clock).
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000 + "\nSTATUS=reloading");
    }

    /** After the reload callbacks ran; a shutdown that started meanwhile is not undone by READY=1. */
    void reloaded(int callbacks, int failed) {
        if (!lifecycle.shutdownStarted()) {
            send("READY=1\nSTATUS=ready: reloaded (" + callbacks + " callback(s), " + failed + " failed)");
        }
    }

    private String drainStatus() {
        Duration left = remaining.get();
        if (left.isNegative()) {
            left = Duration.ZERO;
        }
        Duration extend = left.plus(config.watchdogMargin());
        return "STATUS=shutting down (" + lifecycle.reason() + "): " + lifecycle.phase() + ", " + inFlight.getAsLong()
                + " in flight, at most " + Durations.format(left) + " left\nEXTEND_TIMEOUT_USEC="
                + extend.toNanos() / 1000;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private void send(String message) {
        try {
            sender.send(message);
        } catch (IOException | RuntimeException | LinkageError e) {
            if (warned.compareAndSet(false, true)) {
                log.warn(
                        "systemd notify: cannot send to NOTIFY_SOCKET ({}); the service runs on, later failures "
                                + "log at DEBUG",
                        e.toString());
            } else {
                log.debug("systemd notify: cannot send {}", message.replace('\n', ' '), e);
            }
        }
    }
}
