package dev.graceful.internal;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownTask;
import dev.graceful.TaskOutcome;
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
 * The shutdown tasks: registered in order, each with a timeout, checked against the budget as
 * they come; run after the drain in that order, each on a thread of its own so that a hanging task
 * costs its timeout and no more.
 */
final class ShutdownTasks {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    /** One registered task. */
    record Task(String name, Duration timeout, ShutdownTask action) {}

    private final GracefulConfig config;
    private final Lifecycle lifecycle;
    private final Scheduler scheduler;
    private final Map<String, Task> registered = new LinkedHashMap<>(); // guarded by lifecycle.lock()

    ShutdownTasks(GracefulConfig config, Lifecycle lifecycle, Scheduler scheduler) {
        this.config = config;
        this.lifecycle = lifecycle;
        this.scheduler = scheduler;
    }

    void add(String name, Duration timeout, ShutdownTask task) {
        String n = Names.check("shutdown task", name);
        Durations.requireBetween("timeout of shutdown task '" + n + "'", timeout, Duration.ofMillis(1), MAX_TIMEOUT);
        Objects.requireNonNull(task, "task");
        synchronized (lifecycle.lock()) {
            lifecycle.requireNotStarted("add shutdown task '" + n + "'");
            if (registered.containsKey(n)) {
                throw new IllegalArgumentException("a shutdown task named '" + n + "' is already registered");
            }
            Duration sum = timeout;
            StringBuilder detail = new StringBuilder();
            for (Task t : registered.values()) {
                sum = sum.plus(t.timeout());
                detail.append(t.name())
                        .append(' ')
                        .append(Durations.format(t.timeout()))
                        .append(", ");
            }
            detail.append(n).append(' ').append(Durations.format(timeout));
            config.checkFitsBudget(sum, detail.toString());
            registered.put(n, new Task(n, timeout, task));
        }
    }

    /** The tasks registered so far, in order; the caller holds the lifecycle's lock. */
    List<Task> snapshot() {
        return List.copyOf(registered.values());
    }

    static Duration totalTimeout(List<Task> tasks) {
        Duration sum = Duration.ZERO;
        for (Task t : tasks) {
            sum = sum.plus(t.timeout());
        }
        return sum;
    }

    /**
     * Runs the tasks one after another; a failing or overrunning task is logged and the next one runs.
     *
     * @return completes on the scheduler's thread with every outcome, in order
     */
    CompletableFuture<List<TaskOutcome>> runInOrder(List<Task> tasks) {
        CompletableFuture<List<TaskOutcome>> done = new CompletableFuture<>();
        runFrom(0, tasks, new ArrayList<>(), done);
        return done;
    }

    private void runFrom(
            int index, List<Task> tasks, List<TaskOutcome> outcomes, CompletableFuture<List<TaskOutcome>> done) {
        if (index >= tasks.size()) {
            done.complete(outcomes);
            return;
        }
        Task task = tasks.get(index);
        long start = scheduler.nanoTime();
        CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
        Thread worker = new Thread(
                () -> {
                    try {
                        task.action().run();
                        outcome.complete(
                                new TaskOutcome(task.name(), TaskOutcome.Result.SUCCEEDED, since(start), null));
                    } catch (Throwable e) {
                        outcome.complete(new TaskOutcome(task.name(), TaskOutcome.Result.FAILED, since(start), e));
                    }
                },
                "graceful-task-" + task.name());
        worker.setDaemon(true);
        Runnable cancelTimeout = scheduler.schedule(task.timeout(), () -> {
            if (outcome.complete(new TaskOutcome(task.name(), TaskOutcome.Result.TIMED_OUT, task.timeout(), null))) {
                worker.interrupt();
            }
        });
        worker.start();
        outcome.thenAccept(result -> scheduler.execute(() -> {
            cancelTimeout.run();
            outcomes.add(result);
            switch (result.result()) {
                case SUCCEEDED ->
                    log.debug("Shutdown task '{}' done in {}", task.name(), Durations.format(result.duration()));
                case FAILED ->
                    log.warn(
                            "Shutdown task '{}' failed after {}; running the next one",
                            task.name(),
                            Durations.format(result.duration()),
                            result.failure());
                case TIMED_OUT ->
                    log.warn(
                            "Shutdown task '{}' overran its timeout of {}; interrupted and abandoned; "
                                    + "running the next one",
                            task.name(),
                            Durations.format(task.timeout()));
            }
            runFrom(index + 1, tasks, outcomes, done);
        }));
    }

    private Duration since(long startNanos) {
        return Duration.ofNanos(Math.max(0, scheduler.nanoTime() - startNanos));
    }
}
