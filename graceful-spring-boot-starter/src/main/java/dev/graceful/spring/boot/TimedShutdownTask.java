package dev.graceful.spring.boot;

import dev.graceful.ShutdownTask;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link ShutdownTask} bean with its own timeout. Every {@code ShutdownTask} bean in the
 * application context becomes a shutdown task named after its bean, run after the drain (while
 * every bean is still alive) in {@link org.springframework.core.annotation.Order @Order}; a plain
 * {@code ShutdownTask} gets {@code graceful.default-task-timeout}, this one its own.
 *
 * <pre>{@code
 * @Bean
 * @Order(1)
 * TimedShutdownTask flushAuditLog(AuditLog log) {
 *     return TimedShutdownTask.of(Duration.ofSeconds(10), log::flush);
 * }
 * }</pre>
 */
public interface TimedShutdownTask extends ShutdownTask {

    /**
     * How long the task may run (1ms to 10 minutes); it counts against {@code graceful.budget}.
     *
     * @return the timeout
     */
    Duration timeout();

    /**
     * A task with a timeout.
     *
     * @param timeout how long it may run
     * @param task    what it does
     * @return the task
     */
    static TimedShutdownTask of(Duration timeout, ShutdownTask task) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(task, "task");
        return new TimedShutdownTask() {
            @Override
            public Duration timeout() {
                return timeout;
            }

            @Override
            public void run() throws Exception {
                task.run();
            }

            @Override
            public String toString() {
                return "TimedShutdownTask[" + timeout + ", " + task + "]";
            }
        };
    }
}
