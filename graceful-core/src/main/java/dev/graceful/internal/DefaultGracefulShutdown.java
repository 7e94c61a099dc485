package dev.graceful.internal;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.LongLived;
import dev.graceful.Participant;
import dev.graceful.Phase;
import dev.graceful.ReloadCallback;
import dev.graceful.ShutdownReport;
import dev.graceful.ShutdownTask;
import dev.graceful.State;
import dev.graceful.Tracker;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator: a front that wires the engine's parts together and hands each call to the one
 * part whose job it is.
 *
 * <ul>
 *   <li>{@link Lifecycle}: the phase, the shutdown's reason and the lock that orders registration
 *   against the start of the shutdown;</li>
 *   <li>{@link Trackers}, {@link ReadinessChecks}, {@link Participants}, {@link ShutdownTasks},
 *   {@link Reloads}, {@link Listeners}: what the application registers;</li>
 *   <li>{@link ShutdownSequence}: the shutdown itself, measured by a {@link ReportBuilder};</li>
 *   <li>{@link ProcessOwner}: signals, the exit, the watchdog and the JVM hook, once the process is
 *   graceful's;</li>
 *   <li>{@link SystemdNotify}: what systemd hears, when it asked ({@code NOTIFY_SOCKET});</li>
 *   <li>{@link Rehearsal}: the sequence run once on throwaway parts when the process is ready,
 *   so that the real shutdown runs no code for the first time.</li>
 * </ul>
 */
public final class DefaultGracefulShutdown implements GracefulShutdown {

    private static final Logger REAL_LOG = LoggerFactory.getLogger(GracefulShutdown.class);

    private final GracefulConfig config;
    private final Gate gate = new Gate();
    private final Listeners listeners = new Listeners();
    private final Lifecycle lifecycle;
    private final Trackers trackers;
    private final ReadinessChecks readinessChecks;
    private final Participants participants;
    private final LongLivedConnections longLived;
    private final ShutdownTasks tasks;
    private final Reloads reloads;
    private final ShutdownSequence sequence;
    private final ProcessOwner owner;
    private final Scheduler scheduler;
    private final Logger log;
    private final boolean rehearse;
    private volatile CompletableFuture<ShutdownReport> rehearsal;

    /**
     * Creates a coordinator on the real clock and process.
     *
     * @param config the configuration
     */
    public DefaultGracefulShutdown(GracefulConfig config) {
        this(config, new SystemScheduler(), ProcessControl.SYSTEM, System.getenv(), REAL_LOG, true);
    }

    /**
     * Creates a coordinator on the given clock and process (tests).
     *
     * @param config    the configuration
     * @param scheduler time and the sequence thread
     * @param process   how to exit
     */
    public DefaultGracefulShutdown(GracefulConfig config, Scheduler scheduler, ProcessControl process) {
        this(config, scheduler, process, Map.of());
    }

    /** The same, reading {@code NOTIFY_SOCKET} and {@code WATCHDOG_*} from {@code env} (systemd notify). */
    DefaultGracefulShutdown(
            GracefulConfig config, Scheduler scheduler, ProcessControl process, Map<String, String> env) {
        this(config, scheduler, process, env, REAL_LOG, false);
    }

    /**
     * The whole constructor.
     *
     * @param log      where the lifecycle and the sequence log (a {@link Rehearsal}'s logs nowhere)
     * @param rehearse whether {@link #markReady()} has a {@link Rehearsal} run the sequence's code
     *                 once on {@code scheduler}
     */
    DefaultGracefulShutdown(
            GracefulConfig config,
            Scheduler scheduler,
            ProcessControl process,
            Map<String, String> env,
            Logger log,
            boolean rehearse) {
        this.config = Objects.requireNonNull(config, "config");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(process, "process");
        this.log = log;
        this.rehearse = rehearse;
        lifecycle = new Lifecycle(scheduler, listeners, log);
        trackers = new Trackers(lifecycle, gate, scheduler, listeners);
        readinessChecks = new ReadinessChecks(lifecycle, config.readinessCheckTimeout());
        participants = new Participants(lifecycle, scheduler, config.closeTimeout());
        longLived = new LongLivedConnections(trackers, scheduler);
        tasks = new ShutdownTasks(config, lifecycle, scheduler);
        sequence = new ShutdownSequence(
                config, scheduler, lifecycle, gate, trackers, participants, longLived, tasks, listeners, log);
        SystemdNotify notify =
                SystemdNotify.fromEnvironment(env, config, lifecycle, gate::inFlight, sequence::remaining);
        if (notify != null) {
            listeners.add(notify);
        }
        reloads = new Reloads(lifecycle, scheduler, notify);
        owner = new ProcessOwner(this, process, lifecycle, sequence, reloads);
    }

    @Override
    public GracefulConfig config() {
        return config;
    }

    @Override
    public State state() {
        return lifecycle.phase().state();
    }

    @Override
    public Phase phase() {
        return lifecycle.phase();
    }

    @Override
    public boolean markReady() {
        boolean ready = lifecycle.markReady();
        if (ready && rehearse) {
            rehearsal = Rehearsal.schedule(scheduler, log);
        }
        return ready;
    }

    @Override
    public boolean isReady() {
        // Read again after the checks: a shutdown that started while they ran must not answer ready.
        return lifecycle.phase() == Phase.READY && readinessChecks.allPass() && lifecycle.phase() == Phase.READY;
    }

    @Override
    public void readinessAnswered(String address, String userAgent, boolean ready) {
        sequence.readinessAnswered(address, userAgent, ready);
    }

    @Override
    public boolean isLive() {
        return lifecycle.phase().state().isLive();
    }

    @Override
    public void addReadinessCheck(String name, BooleanSupplier check) {
        readinessChecks.add(name, check);
    }

    @Override
    public Set<String> failingReadinessChecks() {
        return readinessChecks.failing();
    }

    @Override
    public Map<String, String> readinessFailures() {
        return readinessChecks.failures();
    }

    @Override
    public Tracker tracker(String kind) {
        return trackers.get(kind);
    }

    @Override
    public LongLived longLived(String kind) {
        return longLived.kind(kind);
    }

    @Override
    public Collection<Tracker> trackers() {
        return trackers.all();
    }

    @Override
    public long inFlight() {
        return gate.inFlight();
    }

    @Override
    public void register(Participant participant) {
        participants.register(participant);
    }

    @Override
    public void addShutdownTask(String name, ShutdownTask task) {
        addShutdownTask(name, config.defaultTaskTimeout(), task);
    }

    @Override
    public void addShutdownTask(String name, Duration timeout, ShutdownTask task) {
        tasks.add(name, timeout, task);
    }

    @Override
    public void addListener(GracefulListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(GracefulListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void addReloadCallback(String name, ReloadCallback callback) {
        // One lock with installSignalHandlers(): whichever of the two comes second traps SIGHUP.
        synchronized (lifecycle.lock()) {
            owner.reloadCallbackAdded(reloads.add(name, callback));
        }
    }

    @Override
    public CompletableFuture<Void> reload() {
        return reloads.request();
    }

    @Override
    public CompletableFuture<ShutdownReport> shutdown(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (sequence.begin(reason)) {
            owner.shutdownBegan(sequence.worstCase());
            sequence.run();
        }
        return sequence.termination();
    }

    @Override
    public CompletableFuture<ShutdownReport> termination() {
        return sequence.termination();
    }

    @Override
    public Set<String> installSignalHandlers() {
        return owner.install();
    }

    /** The {@link Rehearsal}'s report; null before {@link #markReady()} or without one (tests). */
    CompletableFuture<ShutdownReport> rehearsal() {
        return rehearsal;
    }

    /** For tests that deliver signals without trapping them. */
    ProcessOwner processOwner() {
        return owner;
    }

    @Override
    public String toString() {
        return "GracefulShutdown[" + lifecycle.phase() + ", inFlight=" + gate.inFlight() + "]";
    }
}
