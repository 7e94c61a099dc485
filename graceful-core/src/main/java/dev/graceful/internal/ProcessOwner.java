package dev.graceful.internal;

import dev.graceful.ExitStatus;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.State;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owning the process, once {@link GracefulShutdown#installSignalHandlers()} asked for it: the
 * trapped signals, the JVM shutdown hook, the thread that exits with the report's code, and the
 * watchdog. Without that call it does nothing: graceful never exits a JVM it does not own.
 *
 * <p>It drives the coordinator through its public API ({@code shutdown}, {@code reload},
 * {@code termination}), as an application would.
 */
final class ProcessOwner {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    /**
     * How long a second signal's exit waits for the participants to force-close: a server stops in
     * tens of milliseconds, and until it has, the JVM's exit waits up to 300 ms for its threads.
     */
    static final Duration SECOND_SIGNAL_CLOSE = Duration.ofMillis(200);

    /**
     * How long the process may live after a second signal: the participants' close and the JVM's
     * shutdown hooks (Spring's context close among them) together. What is still running then is
     * cut short by a halt with the signal's code, as a third signal would; the report is out by
     * then. A safety net, not the usual path: a halt waits up to 300 ms for threads still in a
     * system call (event loops a hook was about to stop), so a budget as short as the exits it
     * bounds (100-400 ms) made them slower, not faster.
     */
    static final Duration SECOND_SIGNAL_EXIT = Duration.ofSeconds(1);

    private final GracefulShutdown graceful;
    private final GracefulConfig config;
    private final ProcessControl process;
    private final Lifecycle lifecycle;
    private final ShutdownSequence sequence;
    private final Reloads reloads;
    private final Watchdog watchdog;
    private final Runnable exitWithTheReport;

    private volatile Duration secondSignalExit = SECOND_SIGNAL_EXIT;
    private volatile boolean owning;
    private volatile boolean jvmShuttingDown;
    private volatile ExitStatus forcedStatus;
    private final AtomicInteger extraSignals = new AtomicInteger();
    private final AtomicBoolean exitThreadStarted = new AtomicBoolean();
    private final Set<String> trapped = new LinkedHashSet<>(); // guarded by lifecycle.lock()

    ProcessOwner(
            GracefulShutdown graceful,
            ProcessControl process,
            Lifecycle lifecycle,
            ShutdownSequence sequence,
            Reloads reloads) {
        this.graceful = graceful;
        this.config = graceful.config();
        this.process = process;
        this.lifecycle = lifecycle;
        this.sequence = sequence;
        this.reloads = reloads;
        this.watchdog = new Watchdog(process, sequence::outcomeIfHaltedNow);
        // Linked here, at startup, not at the signal (see Rehearsal).
        this.exitWithTheReport = this::exitWithTheReport;
    }

    Set<String> install() {
        synchronized (lifecycle.lock()) {
            if (owning) {
                return Set.copyOf(trapped);
            }
            owning = true;
            for (String name : List.of("TERM", "INT")) {
                if (Signals.trap(name, () -> onStopSignal(name))) {
                    trapped.add(name);
                }
            }
            if (!reloads.isEmpty() && Signals.trap("HUP", graceful::reload)) {
                trapped.add("HUP");
            }
            // Runs when the JVM exits for any other reason (System.exit elsewhere, a signal we could
            // not trap): the drain then happens inside the hook phase, the best that is left.
            Thread hook = new Thread(this::onJvmShutdown, "graceful-jvm-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            if (lifecycle.shutdownStarted()) {
                // Installed while already shutting down: still end with the outcome's code.
                startExitThread();
            }
            log.info(
                    "Owning the process: trapping SIG{}; exit codes: {} clean, {} drain timed out, {} task failed",
                    String.join(", SIG", trapped),
                    ExitStatus.CLEAN.code(),
                    ExitStatus.DRAIN_TIMED_OUT.code(),
                    ExitStatus.TASK_FAILED.code());
            return Set.copyOf(trapped);
        }
    }

    /** A reload callback was registered (the caller holds the lifecycle's lock): the first one traps SIGHUP. */
    void reloadCallbackAdded(int callbacks) {
        if (owning && !trapped.contains("HUP") && Signals.trap("HUP", graceful::reload)) {
            trapped.add("HUP");
            log.info("SIGHUP now reloads ({} callback(s)) instead of ending the process", callbacks);
        }
    }

    /** The sequence has just begun; when the process is ours, it now ends with the outcome's code. */
    void shutdownBegan(Duration worstCase) {
        if (owning) {
            watchdog.armWithin(worstCase.plus(config.watchdogMargin()), "the shutdown sequence");
            startExitThread();
        }
    }

    /** Runs on the JVM's signal thread for a trapped SIGTERM/SIGINT (tests call it directly). */
    void onStopSignal(String name) {
        State s = lifecycle.phase().state();
        if (s == State.STARTING || s == State.READY) {
            graceful.shutdown("SIG" + name);
            return;
        }
        ExitStatus forced = "INT".equals(name) ? ExitStatus.FORCED_BY_SIGINT : ExitStatus.FORCED_BY_SIGTERM;
        if (extraSignals.getAndIncrement() > 0) {
            // Third signal: the exit we started is itself stuck (a wedged hook); stop at once.
            log.warn("SIG{} again: halting now with exit code {}", name, forced.code());
            process.halt(forced.code());
            return;
        }
        forcedStatus = forced;
        String exit = "the exit after a second signal (SIG" + name + ")";
        if (s == State.STOPPED) {
            // The report is out and the exit under way: its code stands, so log and exit code agree.
            int code = sequence.termination().join().exitStatus().code();
            watchdog.armExitWithin(secondSignalExit, exit, code, () -> "");
            log.info("SIG{} while exiting: exiting now with {}", name, code);
            exitProcess(code, () -> {});
        } else {
            // Counted from the signal, before anything else: the budget is what the user waits.
            watchdog.armExitWithin(
                    secondSignalExit,
                    exit,
                    forced.code(),
                    // STOPPED: the summary is logged (the listeners may still be running).
                    () -> lifecycle.phase() == Phase.STOPPED ? "" : sequence.outcomeIfHaltedNow());
            log.warn(
                    "Second signal (SIG{}) during the shutdown ({}): exiting now with {}; {} unit(s) still in flight "
                            + "are abandoned",
                    name,
                    lifecycle.phase(),
                    forced.code(),
                    graceful.inFlight());
            exitProcess(forced.code(), () -> {
                sequence.endEarly(forced, "a second signal (SIG" + name + ")");
                sequence.forceCloseBeforeExit(SECOND_SIGNAL_CLOSE);
            });
        }
    }

    /** What the watchdog would log if it halted now. */
    String watchdogMessage() {
        return watchdog.haltMessage();
    }

    /**
     * Starts the thread that ends the process with the report's exit code. It starts with the
     * shutdown, not at its end, and is not a daemon: the sequence's own thread is a daemon, and
     * once the participants have stopped the servers (whose threads are often the last non-daemon
     * ones, the application's main having returned long ago) nothing else would keep the JVM
     * alive, and it would end by itself with status 0 before the sequence reports 3 or 4.
     */
    private void startExitThread() {
        if (!exitThreadStarted.compareAndSet(false, true) || jvmShuttingDown) {
            return;
        }
        Thread t = new Thread(exitWithTheReport, "graceful-exit");
        t.setDaemon(false);
        t.start();
    }

    private void exitWithTheReport() {
        ShutdownReport report = sequence.termination().join();
        // Never exit from the sequence or signal thread: System.exit blocks until every hook is
        // done, and one of the hooks is ours. Nor when the JVM is already exiting (the hook path)
        // or a second signal already asked for another code.
        if (!jvmShuttingDown && forcedStatus == null) {
            watchdog.armWithin(config.watchdogMargin(), "the JVM's exit after the shutdown sequence");
            process.exit(report.exitStatus().code());
        }
    }

    /** Tests only: a budget that no test's real time reaches, or a short one to see it used. */
    void secondSignalExit(Duration budget) {
        this.secondSignalExit = budget;
    }

    /**
     * Ends the process with {@code code} once {@code beforeExit} (the report's last word) has run;
     * the caller has armed the watchdog with the exit's budget.
     */
    private void exitProcess(int code, Runnable beforeExit) {
        // Never exit from the sequence or signal thread: System.exit blocks until every hook is
        // done, and one of the hooks is ours.
        Thread t = new Thread(
                () -> {
                    beforeExit.run();
                    process.exit(code);
                },
                "graceful-forced-exit");
        t.setDaemon(false);
        t.start();
    }

    private void onJvmShutdown() {
        jvmShuttingDown = true;
        Phase phase = lifecycle.phase();
        if (forcedStatus != null || phase == Phase.STOPPED) {
            return;
        }
        if (phase.state() != State.DRAINING) {
            log.warn("The JVM is shutting down without a signal graceful trapped (System.exit, or an untrappable "
                    + "signal): draining inside the shutdown hook, concurrently with other hooks");
        }
        graceful.shutdown("JVM shutdown");
        Duration remaining = sequence.remaining();
        try {
            sequence.termination().get(Math.max(remaining.toMillis(), 0) + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Shutdown sequence did not finish inside the JVM shutdown hook: {}", e.toString());
            return;
        }
        // The same allowance as the exit thread gives the JVM's exit: another hook may be wedged.
        watchdog.armWithin(config.watchdogMargin(), "the JVM's exit after the shutdown sequence");
        ExitStatus status = sequence.termination().join().exitStatus();
        if (status != ExitStatus.CLEAN || phase.state() == State.DRAINING) {
            log.info(
                    "The JVM was already exiting (System.exit or a signal graceful does not trap): the process ends "
                            + "with that exit code, not with the report's {} ({})",
                    status.code(),
                    status);
        }
    }
}
