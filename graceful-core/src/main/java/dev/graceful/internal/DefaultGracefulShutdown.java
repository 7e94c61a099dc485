package dev.graceful.internal;

import dev.graceful.Durations;
import dev.graceful.ExitStatus;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.Participant;
import dev.graceful.Phase;
import dev.graceful.ReloadCallback;
import dev.graceful.ShutdownReport;
import dev.graceful.ShutdownTask;
import dev.graceful.State;
import dev.graceful.TaskOutcome;
import dev.graceful.Tracker;
import dev.graceful.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator. State changes happen under {@link #lock} (so that registration and the start
 * of a shutdown are totally ordered and listeners hear of transitions in order); after the start,
 * every step of the sequence runs on the {@link Scheduler}'s single thread, chained by futures, so
 * the sequence never sleeps and never polls.
 */
public final class DefaultGracefulShutdown implements GracefulShutdown {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);
    private static final Pattern KIND = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final Duration MAX_TASK_TIMEOUT = Duration.ofMinutes(10);

    private final GracefulConfig config;
    private final Scheduler scheduler;
    private final ProcessControl process;
    private final Gate gate = new Gate();
    private final Object lock = new Object();

    private volatile Phase phase = Phase.STARTING;
    private final Map<String, DefaultTracker> trackers = new ConcurrentHashMap<>();
    private final List<Tracker> trackerList = new CopyOnWriteArrayList<>();
    private final List<Participant> participants = new CopyOnWriteArrayList<>();
    private final List<GracefulListener> listeners = new CopyOnWriteArrayList<>();
    private final List<NamedCheck> readinessChecks = new CopyOnWriteArrayList<>();
    private final Map<String, TaskEntry> tasks = new LinkedHashMap<>(); // guarded by lock
    private final Map<String, ReloadCallback> reloadCallbacks = new LinkedHashMap<>(); // guarded by lock
    private final CompletableFuture<ShutdownReport> termination = new CompletableFuture<>();

    // Written once under lock when the shutdown starts, read by the sequence thread afterwards.
    private volatile String reason = "";
    private long startNanos;
    private Instant startedAt;
    private List<TaskEntry> taskSnapshot = List.of();
    // Sequence-thread state.
    private long drainStartNanos;
    private long drainEndNanos;
    private Duration readinessDelayTaken = Duration.ZERO;
    private long inFlightAtDrainStart;
    private long exitedAtDrainStart;
    private long refusedAtDrainStart;
    private long drained;
    private long abandoned;
    private boolean drainTimedOut;
    private List<InFlightWork> stuck = List.of();
    private final List<TaskOutcome> taskOutcomes = new ArrayList<>();

    // Process ownership (installSignalHandlers).
    private volatile boolean ownsProcess;
    private volatile boolean jvmShuttingDown;
    private final AtomicInteger extraSignals = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean exitThreadStarted = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile ExitStatus forcedStatus;
    private Watchdog watchdog;
    private final Set<String> trapped = new LinkedHashSet<>(); // guarded by lock

    // Reload coalescing, guarded by reloadLock.
    private final Object reloadLock = new Object();
    private CompletableFuture<Void> pendingReload;
    private boolean reloadRunning;

    /**
     * Creates a coordinator on the real clock and process.
     *
     * @param config the configuration
     */
    public DefaultGracefulShutdown(GracefulConfig config) {
        this(config, new SystemScheduler(), ProcessControl.SYSTEM);
    }

    /**
     * Creates a coordinator on the given clock and process (tests).
     *
     * @param config    the configuration
     * @param scheduler time and the sequence thread
     * @param process   how to exit
     */
    public DefaultGracefulShutdown(GracefulConfig config, Scheduler scheduler, ProcessControl process) {
        this.config = Objects.requireNonNull(config, "config");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.process = Objects.requireNonNull(process, "process");
    }

    // ------------------------------------------------------------------ state and readiness

    @Override
    public GracefulConfig config() {
        return config;
    }

    @Override
    public State state() {
        return phase.state();
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public boolean markReady() {
        synchronized (lock) {
            if (phase == Phase.STARTING) {
                transitionLocked(Phase.READY);
                log.info("Ready: taking traffic");
                return true;
            }
            if (phase == Phase.READY) {
                return true;
            }
        }
        log.debug("markReady() ignored: {} already started ({})", "a shutdown", phase);
        return false;
    }

    @Override
    public boolean isReady() {
        if (phase != Phase.READY) {
            return false;
        }
        for (NamedCheck check : readinessChecks) {
            if (!check.passes()) {
                return false;
            }
        }
        return phase == Phase.READY;
    }

    @Override
    public boolean isLive() {
        return phase.state().isLive();
    }

    @Override
    public void addReadinessCheck(String name, BooleanSupplier check) {
        String n = checkName("readiness check", name);
        Objects.requireNonNull(check, "check");
        synchronized (lock) {
            for (NamedCheck c : readinessChecks) {
                if (c.name.equals(n)) {
                    throw new IllegalArgumentException("a readiness check named '" + n + "' is already registered");
                }
            }
            readinessChecks.add(new NamedCheck(n, check));
        }
    }

    @Override
    public Set<String> failingReadinessChecks() {
        Set<String> failing = null;
        for (NamedCheck check : readinessChecks) {
            if (!check.passes()) {
                if (failing == null) {
                    failing = new LinkedHashSet<>();
                }
                failing.add(check.name);
            }
        }
        return failing == null ? Set.of() : Collections.unmodifiableSet(failing);
    }

    // ------------------------------------------------------------------ tracking

    @Override
    public Tracker tracker(String kind) {
        Objects.requireNonNull(kind, "kind");
        DefaultTracker t = trackers.get(kind);
        if (t != null) {
            return t;
        }
        if (!KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("tracker kind must be 1-64 characters of a-z, 0-9, '-', '_' or '.', "
                    + "starting with a letter or digit; was '" + kind + "'");
        }
        synchronized (lock) {
            t = trackers.get(kind);
            if (t != null) {
                return t;
            }
            t = new DefaultTracker(kind, gate, scheduler);
            gate.add(t);
            trackers.put(kind, t);
            trackerList.add(t);
        }
        Tracker created = t;
        for (GracefulListener l : listeners) {
            notifyListener(l, "onTrackerCreated", x -> x.onTrackerCreated(created));
        }
        return t;
    }

    @Override
    public Collection<Tracker> trackers() {
        return Collections.unmodifiableList(trackerList);
    }

    @Override
    public long inFlight() {
        return gate.inFlight();
    }

    // ------------------------------------------------------------------ registration

    @Override
    public void register(Participant participant) {
        Objects.requireNonNull(participant, "participant");
        synchronized (lock) {
            requireNotStarted("register participant '" + safeName(participant) + "'");
            if (participants.contains(participant)) {
                throw new IllegalArgumentException("participant '" + safeName(participant) + "' is already registered");
            }
            participants.add(participant);
        }
    }

    @Override
    public void addShutdownTask(String name, ShutdownTask task) {
        addShutdownTask(name, config.defaultTaskTimeout(), task);
    }

    @Override
    public void addShutdownTask(String name, Duration timeout, ShutdownTask task) {
        String n = checkName("shutdown task", name);
        Durations.requireBetween("timeout of shutdown task '" + n + "'", timeout, Duration.ofMillis(1), MAX_TASK_TIMEOUT);
        Objects.requireNonNull(task, "task");
        synchronized (lock) {
            requireNotStarted("add shutdown task '" + n + "'");
            if (tasks.containsKey(n)) {
                throw new IllegalArgumentException("a shutdown task named '" + n + "' is already registered");
            }
            Duration sum = timeout;
            StringBuilder detail = new StringBuilder();
            for (TaskEntry e : tasks.values()) {
                sum = sum.plus(e.timeout);
                detail.append(e.name).append(' ').append(Durations.format(e.timeout)).append(", ");
            }
            detail.append(n).append(' ').append(Durations.format(timeout));
            config.checkFitsBudget(sum, detail.toString());
            tasks.put(n, new TaskEntry(n, timeout, task));
        }
    }

    @Override
    public void addListener(GracefulListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(GracefulListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void addReloadCallback(String name, ReloadCallback callback) {
        String n = checkName("reload callback", name);
        Objects.requireNonNull(callback, "callback");
        synchronized (lock) {
            if (reloadCallbacks.containsKey(n)) {
                throw new IllegalArgumentException("a reload callback named '" + n + "' is already registered");
            }
            reloadCallbacks.put(n, callback);
            if (ownsProcess && !trapped.contains("HUP") && Signals.trap("HUP", () -> reload())) {
                trapped.add("HUP");
                log.info("SIGHUP now reloads ({} callback(s)) instead of ending the process", reloadCallbacks.size());
            }
        }
    }

    private void requireNotStarted(String what) {
        if (phase.state() != State.STARTING && phase.state() != State.READY) {
            throw new IllegalStateException("cannot " + what + ": the shutdown started (" + reason + ") and is in phase "
                    + phase);
        }
    }

    private static String checkName(String what, String name) {
        Objects.requireNonNull(name, what + " name");
        String n = name.trim();
        if (n.isEmpty() || n.length() > 100) {
            throw new IllegalArgumentException(what + " name must be 1-100 characters, was '" + name + "'");
        }
        return n;
    }

    // ------------------------------------------------------------------ reload

    @Override
    public CompletableFuture<Void> reload() {
        if (phase.state() == State.DRAINING || phase.state() == State.STOPPED) {
            log.info("Reload ignored: the service is shutting down ({})", phase);
            return CompletableFuture.completedFuture(null);
        }
        synchronized (reloadLock) {
            if (pendingReload == null) {
                pendingReload = new CompletableFuture<>();
            }
            CompletableFuture<Void> mine = pendingReload;
            if (!reloadRunning) {
                reloadRunning = true;
                Thread t = new Thread(this::runReloads, "graceful-reload");
                t.setDaemon(true);
                t.start();
            }
            return mine;
        }
    }

    private void runReloads() {
        while (true) {
            CompletableFuture<Void> current;
            List<Map.Entry<String, ReloadCallback>> callbacks;
            synchronized (reloadLock) {
                current = pendingReload;
                if (current == null) {
                    reloadRunning = false;
                    return;
                }
                pendingReload = null;
            }
            synchronized (lock) {
                callbacks = new ArrayList<>(reloadCallbacks.entrySet());
            }
            long start = System.nanoTime();
            int failed = 0;
            log.info("Reload: running {} callback(s)", callbacks.size());
            for (Map.Entry<String, ReloadCallback> e : callbacks) {
                try {
                    e.getValue().reload();
                } catch (Exception | LinkageError | AssertionError ex) {
                    failed++;
                    log.warn("Reload callback '{}' failed; the service keeps running", e.getKey(), ex);
                }
            }
            log.info("Reload done in {}: {} callback(s), {} failed", Durations.format(since(start)), callbacks.size(),
                    failed);
            current.complete(null);
        }
    }

    // ------------------------------------------------------------------ the sequence

    @Override
    public CompletableFuture<ShutdownReport> termination() {
        return termination;
    }

    @Override
    public CompletableFuture<ShutdownReport> shutdown(String why) {
        Objects.requireNonNull(why, "reason");
        Duration taskTimeouts;
        synchronized (lock) {
            Phase from = phase;
            if (from.state() == State.DRAINING || from.state() == State.STOPPED) {
                log.debug("Shutdown requested ({}) while already shutting down ({}): joining it", why, reason);
                return termination;
            }
            // Readiness fails with this write; everything else (cold code on a first and only
            // shutdown: records, streams, logging) comes after it.
            phase = Phase.READINESS_DELAY;
            startNanos = scheduler.nanoTime();
            reason = why;
            startedAt = scheduler.now();
            taskSnapshot = List.copyOf(tasks.values());
            Duration sum = Duration.ZERO;
            for (TaskEntry t : taskSnapshot) {
                sum = sum.plus(t.timeout);
            }
            taskTimeouts = sum;
            announce(from, Phase.READINESS_DELAY);
        }
        Duration worstCase = config.fixedPhases().plus(taskTimeouts);
        log.info("Shutdown started ({}): readiness now failing; serving {} more, then draining {} in-flight unit(s) "
                        + "for up to {} (worst case {}{})",
                why, Durations.format(config.readinessDelay()), gate.inFlight(), Durations.format(config.drainTimeout()),
                Durations.format(worstCase),
                config.budget().map(b -> " of a " + Durations.format(b) + " budget").orElse(""));
        if (ownsProcess) {
            watchdog.armWithin(worstCase.plus(config.watchdogMargin()), "the shutdown sequence");
            startExitThread();
        }
        if (config.readinessDelay().isZero()) {
            scheduler.execute(this::stopAccepting);
        } else {
            scheduler.schedule(config.readinessDelay(), this::stopAccepting);
        }
        return termination;
    }

    private void stopAccepting() {
        readinessDelayTaken = since(startNanos, scheduler.nanoTime());
        drainStartNanos = scheduler.nanoTime();
        // Arm zero detection before anything can be counted out by the participants' actions.
        CompletableFuture<Void> firstZero = gate.awaitZero(Gate.DRAINING);
        exitedAtDrainStart = gate.exited();
        refusedAtDrainStart = gate.refused();
        inFlightAtDrainStart = gate.inFlight();
        transition(Phase.AWAITING_IN_FLIGHT);
        log.info("Stopped accepting new connections ({} participant(s)); waiting for {} in-flight unit(s), up to {}",
                participants.size(), inFlightAtDrainStart, Durations.format(config.drainTimeout()));
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        for (Participant p : participants) {
            steps.add(call(p, "stopAccepting", Participant::stopAccepting));
        }
        steps.add(firstZero);
        CompletableFuture<Boolean> outcome = new CompletableFuture<>();
        CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new))
                // The final close: refuse new work, then wait once more for work admitted between
                // the first zero and the close (see Gate).
                .thenCompose(v -> gate.awaitZero(Gate.CLOSED))
                .whenComplete((v, e) -> outcome.complete(Boolean.TRUE));
        Runnable cancelTimeout = scheduler.schedule(config.drainTimeout(), () -> outcome.complete(Boolean.FALSE));
        outcome.thenAccept(clean -> scheduler.execute(() -> {
            cancelTimeout.run();
            if (clean) {
                drainedInTime();
            } else {
                drainTimedOut();
            }
        }));
    }

    private void drainedInTime() {
        drainEndNanos = scheduler.nanoTime();
        drained = drainedSoFar();
        transition(Phase.CLOSING_IDLE);
        log.info("Drained in {}: {} unit(s) finished while draining; closing idle connections",
                Durations.format(since(drainStartNanos, drainEndNanos)), drained);
        awaitParticipants("closeIdle", Participant::closeIdle).thenRun(() -> scheduler.execute(() -> runTask(0)));
    }

    private void drainTimedOut() {
        drainEndNanos = scheduler.nanoTime();
        drainTimedOut = true;
        gate.close();
        abandoned = gate.inFlight();
        drained = drainedSoFar();
        stuck = describeInFlight(config.maxReportedInFlight());
        transition(Phase.FORCE_CLOSING);
        StringBuilder list = new StringBuilder();
        for (InFlightWork w : stuck) {
            list.append("\n  ").append(w);
        }
        if (abandoned > stuck.size()) {
            list.append("\n  ... ").append(abandoned - stuck.size()).append(" more without a description");
        }
        log.warn("Drain timed out after {} with {} unit(s) still in flight; abandoning them and force-closing:{}",
                Durations.format(config.drainTimeout()), abandoned, list);
        awaitParticipants("forceClose", Participant::forceClose).thenRun(() -> scheduler.execute(() -> runTask(0)));
    }

    private long drainedSoFar() {
        return gate.exited() - exitedAtDrainStart;
    }

    private List<InFlightWork> describeInFlight(int max) {
        List<InFlightWork> all = new ArrayList<>();
        for (DefaultTracker t : trackers.values()) {
            for (WorkHandle w : t.described()) {
                all.add(w.snapshot());
            }
        }
        for (Participant p : participants) {
            try {
                all.addAll(p.inFlight());
            } catch (RuntimeException | LinkageError e) {
                log.warn("Participant '{}' failed to describe its in-flight work", safeName(p), e);
            }
        }
        all.sort(Comparator.comparing(InFlightWork::age).reversed());
        return all.size() > max ? List.copyOf(all.subList(0, max)) : List.copyOf(all);
    }

    private void runTask(int index) {
        if (index == 0) {
            transition(Phase.SHUTDOWN_TASKS);
        }
        if (index >= taskSnapshot.size()) {
            finish();
            return;
        }
        TaskEntry entry = taskSnapshot.get(index);
        long start = scheduler.nanoTime();
        CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                entry.task.run();
                outcome.complete(new TaskOutcome(entry.name, TaskOutcome.Result.SUCCEEDED, since(start), null));
            } catch (Throwable e) {
                outcome.complete(new TaskOutcome(entry.name, TaskOutcome.Result.FAILED, since(start), e));
            }
        }, "graceful-task-" + entry.name);
        worker.setDaemon(true);
        Runnable cancelTimeout = scheduler.schedule(entry.timeout, () -> {
            if (outcome.complete(new TaskOutcome(entry.name, TaskOutcome.Result.TIMED_OUT, entry.timeout, null))) {
                worker.interrupt();
            }
        });
        worker.start();
        outcome.thenAccept(result -> scheduler.execute(() -> {
            cancelTimeout.run();
            taskOutcomes.add(result);
            switch (result.result()) {
                case SUCCEEDED:
                    log.debug("Shutdown task '{}' done in {}", entry.name, Durations.format(result.duration()));
                    break;
                case FAILED:
                    log.warn("Shutdown task '{}' failed after {}; running the next one", entry.name,
                            Durations.format(result.duration()), result.failure());
                    break;
                default:
                    log.warn("Shutdown task '{}' overran its timeout of {}; interrupted and abandoned; running the next "
                            + "one", entry.name, Durations.format(entry.timeout));
            }
            runTask(index + 1);
        }));
    }

    private void finish() {
        long failedTasks = taskOutcomes.stream().filter(t -> !t.succeeded()).count();
        ExitStatus status = drainTimedOut ? ExitStatus.DRAIN_TIMED_OUT
                : failedTasks > 0 ? ExitStatus.TASK_FAILED : ExitStatus.CLEAN;
        Duration total = since(startNanos, scheduler.nanoTime());
        ShutdownReport report = new ShutdownReport(reason, startedAt, readinessDelayTaken,
                since(drainStartNanos, drainEndNanos), total, inFlightAtDrainStart, drained, abandoned,
                gate.refused() - refusedAtDrainStart, drainTimedOut, stuck, taskOutcomes, status);
        transition(Phase.STOPPED);
        log.info("Shutdown complete in {} ({}): drained {}, abandoned {}, refused {}, shutdown tasks {}/{} ok; exit "
                        + "status {} ({})",
                Durations.format(total), reason, drained, abandoned, report.refused(),
                taskOutcomes.size() - failedTasks, taskOutcomes.size(), status.code(), status);
        for (GracefulListener l : listeners) {
            notifyListener(l, "onShutdownComplete", x -> x.onShutdownComplete(report));
        }
        termination.complete(report);
    }

    private CompletableFuture<Void> awaitParticipants(String step, Function<Participant, CompletableFuture<Void>> action) {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (Participant p : participants) {
            futures.add(call(p, step, action));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
        CompletableFuture<Void> bounded = new CompletableFuture<>();
        all.whenComplete((v, e) -> bounded.complete(null));
        Runnable cancel = scheduler.schedule(config.closeTimeout(), () -> {
            if (bounded.complete(null)) {
                List<String> late = new ArrayList<>();
                for (int i = 0; i < futures.size(); i++) {
                    if (!futures.get(i).isDone()) {
                        late.add(safeName(participants.get(i)));
                    }
                }
                log.warn("Participants {} did not finish {} within the close timeout of {}; going on", late, step,
                        Durations.format(config.closeTimeout()));
            }
        });
        bounded.whenComplete((v, e) -> cancel.run());
        return bounded;
    }

    private CompletableFuture<Void> call(Participant p, String step,
            Function<Participant, CompletableFuture<Void>> action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            CompletableFuture<Void> f = action.apply(p);
            if (f == null) {
                throw new NullPointerException(step + "() returned null");
            }
            f.whenComplete((v, e) -> {
                if (e != null) {
                    log.warn("Participant '{}' failed to {}", safeName(p), step, e);
                }
                done.complete(null);
            });
        } catch (RuntimeException | LinkageError e) {
            log.warn("Participant '{}' failed to {}", safeName(p), step, e);
            done.complete(null);
        }
        return done;
    }

    // ------------------------------------------------------------------ process ownership

    @Override
    public Set<String> installSignalHandlers() {
        synchronized (lock) {
            if (ownsProcess) {
                return Set.copyOf(trapped);
            }
            ownsProcess = true;
            watchdog = new Watchdog(process);
            for (String name : List.of("TERM", "INT")) {
                if (Signals.trap(name, () -> onStopSignal(name))) {
                    trapped.add(name);
                }
            }
            if (!reloadCallbacks.isEmpty() && Signals.trap("HUP", () -> reload())) {
                trapped.add("HUP");
            }
            // Runs when the JVM exits for any other reason (System.exit elsewhere, a signal we could
            // not trap): the drain then happens inside the hook phase, the best that is left.
            Thread hook = new Thread(this::onJvmShutdown, "graceful-jvm-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            if (phase.state() == State.DRAINING || phase == Phase.STOPPED) {
                // Installed while already shutting down: still end with the outcome's code.
                startExitThread();
            }
            log.info("Owning the process: trapping SIG{}; exit codes: {} clean, {} drain timed out, {} task failed",
                    String.join(", SIG", trapped), ExitStatus.CLEAN.code(), ExitStatus.DRAIN_TIMED_OUT.code(),
                    ExitStatus.TASK_FAILED.code());
            return Set.copyOf(trapped);
        }
    }

    private void onStopSignal(String name) {
        State s = phase.state();
        if (s == State.STARTING || s == State.READY) {
            shutdown("SIG" + name);
            return;
        }
        ExitStatus forced = "INT".equals(name) ? ExitStatus.FORCED_BY_SIGINT : ExitStatus.FORCED_BY_SIGTERM;
        if (extraSignals.getAndIncrement() > 0) {
            // Third signal: the exit we started is itself stuck (a wedged hook); stop at once.
            log.warn("SIG{} again: halting now", name);
            process.halt(forced.code());
            return;
        }
        forcedStatus = forced;
        if (s == State.STOPPED) {
            log.info("SIG{} while exiting: exiting now", name);
        } else {
            log.warn("Second signal (SIG{}) during the shutdown ({}): exiting now with {}; {} unit(s) still in flight "
                    + "are abandoned", name, phase, forced.code(), gate.inFlight());
        }
        exitProcess(forced.code(), "the JVM's exit after a second signal");
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
        Thread t = new Thread(() -> {
            ShutdownReport report = termination.join();
            // Never exit from the sequence or signal thread: System.exit blocks until every hook
            // is done, and one of the hooks is ours. Nor when the JVM is already exiting (the
            // hook path) or a second signal already asked for another code.
            if (!jvmShuttingDown && forcedStatus == null) {
                watchdog.armWithin(config.watchdogMargin(), "the JVM's exit after the shutdown sequence");
                process.exit(report.exitStatus().code());
            }
        }, "graceful-exit");
        t.setDaemon(false);
        t.start();
    }

    private void exitProcess(int code, String what) {
        watchdog.armWithin(config.watchdogMargin(), what);
        // Never exit from the sequence or signal thread: System.exit blocks until every hook is
        // done, and one of the hooks is ours.
        Thread t = new Thread(() -> process.exit(code), "graceful-forced-exit");
        t.setDaemon(false);
        t.start();
    }

    private void onJvmShutdown() {
        jvmShuttingDown = true;
        if (forcedStatus != null || phase == Phase.STOPPED) {
            return;
        }
        if (phase.state() != State.DRAINING) {
            log.warn("The JVM is shutting down without a signal graceful trapped (System.exit, or an untrappable "
                    + "signal): draining inside the shutdown hook, concurrently with other hooks");
        }
        shutdown("JVM shutdown");
        Duration remaining = config.fixedPhases()
                .plus(taskSnapshot.stream().map(t -> t.timeout).reduce(Duration.ZERO, Duration::plus))
                .minus(since(startNanos, scheduler.nanoTime()));
        try {
            termination.get(Math.max(remaining.toMillis(), 0) + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Shutdown sequence did not finish inside the JVM shutdown hook: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ helpers

    private void transition(Phase to) {
        synchronized (lock) {
            transitionLocked(to);
        }
    }

    private void transitionLocked(Phase to) {
        Phase from = phase;
        phase = to;
        announce(from, to);
    }

    private void announce(Phase from, Phase to) {
        Transition t = new Transition(from, to, scheduler.now(), reason);
        log.debug("Phase {} -> {}", from, to);
        for (GracefulListener l : listeners) {
            notifyListener(l, "onTransition", x -> x.onTransition(t));
        }
    }

    private static void notifyListener(GracefulListener l, String what, java.util.function.Consumer<GracefulListener> c) {
        try {
            c.accept(l);
        } catch (RuntimeException | LinkageError e) {
            log.warn("Listener {} failed in {}", l, what, e);
        }
    }

    private Duration since(long startNanos) {
        return since(startNanos, scheduler.nanoTime());
    }

    private static Duration since(long startNanos, long endNanos) {
        return Duration.ofNanos(Math.max(0, endNanos - startNanos));
    }

    private static String safeName(Participant p) {
        try {
            return String.valueOf(p.name());
        } catch (RuntimeException e) {
            return p.getClass().getName();
        }
    }

    @Override
    public String toString() {
        return "GracefulShutdown[" + phase + ", inFlight=" + gate.inFlight() + "]";
    }

    private static final class NamedCheck {
        final String name;
        final BooleanSupplier check;

        NamedCheck(String name, BooleanSupplier check) {
            this.name = name;
            this.check = check;
        }

        boolean passes() {
            try {
                return check.getAsBoolean();
            } catch (RuntimeException | LinkageError e) {
                log.debug("Readiness check '{}' threw; counting it as failing", name, e);
                return false;
            }
        }
    }

    private static final class TaskEntry {
        final String name;
        final Duration timeout;
        final ShutdownTask task;

        TaskEntry(String name, Duration timeout, ShutdownTask task) {
            this.name = name;
            this.timeout = timeout;
            this.task = task;
        }
    }
}
