package dev.graceful;

import dev.graceful.internal.DefaultGracefulShutdown;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The coordinator: turns a stop signal (or an API call) into a zero-loss exit.
 *
 * <pre>{@code
 * GracefulShutdown graceful = GracefulShutdown.create(GracefulConfig.builder()
 *         .readinessDelay(Duration.ofSeconds(5))
 *         .drainTimeout(Duration.ofSeconds(20))
 *         .build());
 * Tracker jobs = graceful.tracker("job");
 * graceful.addShutdownTask("close-pool", pool::shutdown);
 * HealthServer.start(graceful, 8081);        // /healthz, /readyz, /livez
 * graceful.installSignalHandlers();           // SIGTERM/SIGINT now drain, then exit
 * graceful.markReady();
 * try (Work work = jobs.begin("nightly-report")) {
 *     runReport();
 * }
 * }</pre>
 *
 * <h2>The shutdown sequence</h2>
 * Started by {@link #shutdown(String)}, by SIGTERM/SIGINT once {@link #installSignalHandlers()}
 * was called, or by the JVM's own shutdown; it runs exactly once however often it is triggered.
 * <ol>
 *   <li><b>Announce</b>: readiness fails at once (before {@code shutdown} returns), one INFO line
 *   names the reason and the budget, listeners are told.</li>
 *   <li><b>Readiness delay</b> ({@link GracefulConfig#readinessDelay()}): everything is still served
 *   normally, so load balancers notice the failing readiness and stop routing here.</li>
 *   <li><b>Stop accepting</b>: every {@link Participant} stops taking new connections; open
 *   connections keep being served and are asked to close after their current response.</li>
 *   <li><b>Drain</b>: wait, without polling, until the in-flight count of every {@link Tracker} is
 *   zero; the final close then refuses late work and participants close idle connections.</li>
 *   <li><b>On timeout</b> ({@link GracefulConfig#drainTimeout()}): log the stuck work, force-close,
 *   count it as abandoned.</li>
 *   <li><b>Shutdown tasks</b>, in declared order, each bounded by its own timeout.</li>
 *   <li><b>Stopped</b>: one INFO summary line; if graceful owns the process, it exits with an
 *   {@link ExitStatus} code.</li>
 * </ol>
 *
 * <p>Every method is thread-safe.
 */
public interface GracefulShutdown {

    /**
     * Creates a coordinator in {@link State#STARTING}.
     *
     * @param config the configuration
     * @return a new coordinator
     */
    static GracefulShutdown create(GracefulConfig config) {
        return new DefaultGracefulShutdown(config);
    }

    /** Creates a coordinator with {@link GracefulConfig#defaults()}. */
    static GracefulShutdown create() {
        return create(GracefulConfig.defaults());
    }

    /** The configuration this coordinator was created with. */
    GracefulConfig config();

    /** The current coarse state. */
    State state();

    /** The current phase. */
    Phase phase();

    /**
     * Ends {@link State#STARTING}. Does nothing (and returns {@code false}) once a shutdown has
     * started: a service never becomes ready again while draining.
     *
     * @return {@code true} when the state is {@link State#READY} afterwards
     */
    boolean markReady();

    /**
     * Whether a readiness probe should pass: the state is {@link State#READY} and every readiness
     * check passes. Cheap and non-blocking apart from the checks themselves.
     */
    boolean isReady();

    /**
     * Tells the coordinator that a readiness endpoint answered a health prober, for
     * {@link GracefulConfig#readinessProbes()}: {@link HealthEndpoint#respond(String, String, String, String)}
     * calls it, so adapters answering through {@link HealthEndpoint} need not. Cheap, and free of
     * allocation once the prober is known; does nothing when readinessProbes is 0.
     *
     * @param address   the prober's IP address, without port ({@code null}: not counted)
     * @param userAgent its {@code User-Agent}, or {@code null} when it sent none
     * @param ready     whether the answer was "ready" (200)
     */
    default void readinessAnswered(String address, String userAgent, boolean ready) {}

    /** Whether a liveness probe should pass: true until {@link State#STOPPED}. */
    boolean isLive();

    /**
     * Adds a named readiness check. Readiness is true only while every check returns
     * {@code true}. Checks are called on every readiness probe, each on a thread of graceful's, and
     * a probe waits for one at most {@link GracefulConfig#readinessCheckTimeout()}: a check that has
     * not answered by then, or that throws, counts as failing (see {@link #readinessFailures()}).
     * A check that overruns is not interrupted, and no other call of it starts until it returns.
     *
     * @param name  unique name, reported when the check fails
     * @param check the check
     * @throws IllegalArgumentException when the name is blank or already used
     */
    void addReadinessCheck(String name, BooleanSupplier check);

    /** The names of the readiness checks failing now; empty when all pass. */
    Set<String> failingReadinessChecks();

    /**
     * The readiness checks failing now, in registration order, each with why: {@code returned false},
     * {@code timed out after 500ms} (the probe waited {@link GracefulConfig#readinessCheckTimeout()}),
     * {@code still running after 3.2s (limit 500ms)} (that call has not returned yet; no other starts
     * until it does) or {@code threw IllegalStateException: pool closed}. Empty when all pass.
     */
    Map<String, String> readinessFailures();

    /**
     * The tracker for one kind of work, created on first use. The same instance is returned for
     * the same kind.
     *
     * @param kind a short label: lower-case letters, digits, {@code - _ .}; for example
     *             {@code "http"}, {@code "job"}, {@code "message"}
     * @return the tracker
     * @throws IllegalArgumentException when the kind is not such a label
     */
    Tracker tracker(String kind);

    /**
     * The long-lived connections of one kind (WebSockets, event streams), created on first use:
     * counted under their kind like a tracker's work, asked to leave when the listeners close, and
     * waited for at most {@link GracefulConfig#longLivedTimeout()} (see {@link LongLived}).
     * @param kind a label as for {@link #tracker(String)}, for example {@code "websocket"} or {@code "sse"}
     * @return the same instance for the same kind
     * @throws IllegalArgumentException when the kind is not such a label, or is already a tracker's kind
     */
    LongLived longLived(String kind);

    /** Every tracker created so far, in creation order, including the counts of long-lived kinds. */
    Collection<Tracker> trackers();

    /** Work in flight now, over every kind. */
    long inFlight();

    /**
     * Registers a participant (a server adapter). Allowed until the shutdown starts.
     *
     * @param participant the participant
     * @throws IllegalStateException when a shutdown has already started
     */
    void register(Participant participant);

    /**
     * Registers a shutdown task with {@link GracefulConfig#defaultTaskTimeout()}.
     *
     * @param name unique name
     * @param task the task
     * @throws IllegalArgumentException when the name is blank or taken, or the task would not fit the budget
     * @throws IllegalStateException    when a shutdown has already started
     */
    void addShutdownTask(String name, ShutdownTask task);

    /**
     * Registers a shutdown task. Tasks run after the drain, in registration order.
     *
     * @param name    unique name
     * @param timeout how long it may run, 1ms to 10 minutes
     * @param task    the task
     * @throws IllegalArgumentException when the name is blank or taken, the timeout is out of
     *                                  range, or the task would not fit the budget
     * @throws IllegalStateException    when a shutdown has already started
     */
    void addShutdownTask(String name, Duration timeout, ShutdownTask task);

    /**
     * Adds a listener.
     *
     * @param listener the listener
     */
    void addListener(GracefulListener listener);

    /**
     * Removes a listener.
     *
     * @param listener the listener
     */
    void removeListener(GracefulListener listener);

    /**
     * Registers a reload callback, run on SIGHUP (when {@link #installSignalHandlers()} was called;
     * either order) or by {@link #reload()}. Registering the first callback is what opts in to
     * trapping SIGHUP: without one, SIGHUP keeps the JVM's default behaviour.
     *
     * @param name     unique name
     * @param callback the callback
     * @throws IllegalArgumentException when the name is blank or taken
     */
    void addReloadCallback(String name, ReloadCallback callback);

    /**
     * Runs the reload callbacks on the reload thread, as SIGHUP does. Ignored once a shutdown
     * has started. Requests made while a reload runs are coalesced into one more run.
     *
     * @return completes when the reload this request caused has run
     */
    CompletableFuture<Void> reload();

    /**
     * Starts the shutdown sequence, or joins the one already running. Readiness fails before this
     * method returns.
     *
     * @param reason why, for the log and the report (for example {@code "deploy v42"})
     * @return completes with the report when the sequence reaches {@link Phase#STOPPED}; the same
     *         future for every call
     */
    CompletableFuture<ShutdownReport> shutdown(String reason);

    /** Completes when the sequence reaches {@link Phase#STOPPED}; never completes if no shutdown is ever started. */
    CompletableFuture<ShutdownReport> termination();

    /**
     * Makes graceful own the process: SIGTERM and SIGINT start the shutdown sequence (before the
     * JVM's shutdown hooks, so logging, pools and other libraries are still alive while
     * draining), and the process exits with the {@link ExitStatus} code when the sequence ends.
     * A second SIGTERM or SIGINT during the sequence exits promptly with 143 or 130. A watchdog
     * halts the process if the sequence or the JVM's exit overruns by
     * {@link GracefulConfig#watchdogMargin()}. SIGHUP is trapped too once a reload callback
     * exists.
     *
     * <p>Where a signal cannot be trapped (the JVM runs with {@code -Xrs}, or the signal was
     * ignored when the process started, as for SIGINT of a background job in a non-interactive
     * shell) the shutdown still runs, from a JVM shutdown hook, concurrently with other hooks;
     * the returned set tells which signals are trapped. Calling this twice does nothing more.
     *
     * @return the names of the signals trapped ({@code "TERM"}, {@code "INT"}, {@code "HUP"})
     */
    Set<String> installSignalHandlers();
}
