package dev.graceful.spring.boot.internal;

import dev.graceful.Durations;
import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.ShutdownTask;
import dev.graceful.Transition;
import dev.graceful.spring.boot.TimedShutdownTask;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.Ordered;

/**
 * Ties a {@link GracefulShutdown} to the Spring application lifecycle.
 *
 * <ul>
 *   <li>After every singleton exists: registers each {@link ShutdownTask} bean as a shutdown task,
 *   named after the bean, in {@code @Order}.</li>
 *   <li>{@link ApplicationStartedEvent} (context refreshed, web server started): takes SIGTERM and
 *   SIGINT, unless {@code graceful.signals.enabled=false} or the context is managed by Spring's
 *   TestContext framework.</li>
 *   <li>{@link ApplicationReadyEvent}: {@link GracefulShutdown#markReady()}.</li>
 *   <li>{@link ContextClosedEvent} of this context, as its <em>first</em> listener: runs the
 *   shutdown sequence (or joins the one running) and returns only when it is over. Spring
 *   publishes this event before it stops any {@code SmartLifecycle} (Boot's own graceful shutdown
 *   of the web server, message listener containers) and before executors start refusing tasks
 *   (they do so on this very event), so the readiness delay and the drain run while every bean
 *   is fully alive. The sequence bounds itself, so {@code spring.lifecycle.timeout-per-shutdown-phase}
 *   has nothing to cut short.</li>
 * </ul>
 */
public final class GracefulApplicationLifecycle
        implements SmartApplicationListener, SmartInitializingSingleton, ApplicationContextAware, GracefulListener {

    private static final Logger log = LoggerFactory.getLogger(GracefulApplicationLifecycle.class);

    /**
     * The property source Spring's TestContext framework adds to every context it manages
     * ({@code TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME}); Spring Boot's
     * test support always puts a property in it. Spring-test is not a dependency, hence the literal.
     */
    static final String TEST_PROPERTY_SOURCE = "Inlined Test Properties";

    private final GracefulShutdown graceful;
    private final boolean signalsEnabled;
    private ConfigurableApplicationContext context;
    private volatile boolean ownsProcess;
    private volatile boolean startedDuringJvmShutdown;
    private volatile Duration taskTimeouts = Duration.ZERO;

    /**
     * Creates the lifecycle glue.
     *
     * @param graceful       the coordinator
     * @param signalsEnabled whether to take SIGTERM/SIGINT once the application has started
     */
    public GracefulApplicationLifecycle(GracefulShutdown graceful, boolean signalsEnabled) {
        this.graceful = graceful;
        this.signalsEnabled = signalsEnabled;
        graceful.addListener(this);
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) throws BeansException {
        if (applicationContext instanceof ConfigurableApplicationContext configurable) {
            this.context = configurable;
        }
    }

    /**
     * Whether graceful owns the process (trapped SIGTERM/SIGINT through this lifecycle).
     *
     * @return {@code true} once the signal handlers are installed
     */
    public boolean ownsProcess() {
        return ownsProcess;
    }

    // ------------------------------------------------------------------ shutdown task beans

    @Override
    public void afterSingletonsInstantiated() {
        if (context == null) {
            return;
        }
        Map<ShutdownTask, String> names = new IdentityHashMap<>();
        context.getBeansOfType(ShutdownTask.class).forEach((name, task) -> names.put(task, name));
        Duration sum = Duration.ZERO;
        // orderedStream honours @Order on classes and on @Bean methods alike.
        for (ShutdownTask task : (Iterable<ShutdownTask>)
                context.getBeanProvider(ShutdownTask.class).orderedStream()::iterator) {
            String name = names.get(task);
            if (name == null) {
                continue; // a non-singleton or one from a parent context: not ours to run
            }
            try {
                if (task instanceof TimedShutdownTask timed) {
                    graceful.addShutdownTask(name, timed.timeout(), task);
                    sum = sum.plus(timed.timeout());
                } else {
                    graceful.addShutdownTask(name, task);
                    sum = sum.plus(graceful.config().defaultTaskTimeout());
                }
            } catch (IllegalArgumentException e) {
                if (graceful.config().budget().isPresent()
                        && e.getMessage() != null
                        && e.getMessage().contains("budget")) {
                    throw new InvalidConfigurationPropertyValueException(
                            "graceful.budget",
                            Durations.format(graceful.config().budget().get()),
                            "shutdown task bean '" + name + "' does not fit: "
                                    + GracefulConfigs.withPropertyNames(e.getMessage()));
                }
                throw new IllegalStateException(
                        "Cannot register shutdown task bean '" + name + "': " + e.getMessage(), e);
            }
        }
        taskTimeouts = sum;
    }

    // ------------------------------------------------------------------ application events

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
        return ApplicationStartedEvent.class.isAssignableFrom(eventType)
                || ApplicationReadyEvent.class.isAssignableFrom(eventType)
                || ContextClosedEvent.class.isAssignableFrom(eventType);
    }

    @Override
    public int getOrder() {
        // First among the ContextClosedEvent listeners: the drain must run before anything else
        // reacts to the close.
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ContextClosedEvent closed) {
            if (closed.getApplicationContext() == context) {
                onContextClosed();
            }
        } else if (event instanceof ApplicationStartedEvent started) {
            if (started.getApplicationContext() == context) {
                onStarted();
            }
        } else if (event instanceof ApplicationReadyEvent ready) {
            if (ready.getApplicationContext() == context) {
                graceful.markReady();
            }
        }
    }

    private void onStarted() {
        if (!signalsEnabled) {
            log.info("graceful.signals.enabled=false: the drain runs when the application context closes; "
                    + "the JVM decides the exit code");
            return;
        }
        if (isTestContext()) {
            log.debug("Running under Spring's TestContext framework: not taking SIGTERM/SIGINT of the test JVM");
            return;
        }
        Set<String> trapped = graceful.installSignalHandlers();
        ownsProcess = true;
        // Asked at every shutdown's start: asked once now, so that its class and lambda are not
        // linked for the first time after the signal (docs/architecture.md, "A rehearsal of the shutdown").
        JvmShutdown.inProgress();
        if (trapped.isEmpty()) {
            log.warn("No stop signal could be trapped: the drain will run from the JVM's shutdown hook instead");
        }
    }

    private boolean isTestContext() {
        return context != null && context.getEnvironment().getPropertySources().contains(TEST_PROPERTY_SOURCE);
    }

    private void onContextClosed() {
        if (graceful.termination().isDone()) {
            return;
        }
        if (ownsProcess
                && graceful.phase() != Phase.STARTING
                && graceful.phase() != Phase.READY
                && !startedDuringJvmShutdown
                && JvmShutdown.inProgress()) {
            // graceful started the drain on a signal and the JVM began exiting before the drain was
            // over: only a second signal (or a System.exit elsewhere) does that, and it means
            // "exit now". Holding Spring's shutdown hook here would turn a prompt exit into a
            // watchdog halt.
            log.info("The JVM is exiting in the middle of the drain (second signal): closing the context now");
            return;
        }
        Duration bound = graceful.config()
                .fixedPhases()
                .plus(taskTimeouts)
                .plus(graceful.config().watchdogMargin());
        try {
            ShutdownReport report =
                    graceful.shutdown("application context closed").get(bound.toMillis(), TimeUnit.MILLISECONDS);
            log.debug("Drain before the context close done: {}", report);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Interrupted while draining before the context close; closing the context now");
        } catch (TimeoutException e) {
            log.warn(
                    "The shutdown sequence did not end within {}; closing the context anyway", Durations.format(bound));
        } catch (ExecutionException e) {
            log.warn("The shutdown sequence failed; closing the context", e.getCause());
        }
    }

    // ------------------------------------------------------------------ GracefulListener

    @Override
    public void onTransition(Transition transition) {
        if (transition.to() == Phase.READINESS_DELAY && ownsProcess) {
            startedDuringJvmShutdown = JvmShutdown.inProgress();
        }
    }

    /** Tells whether the JVM has begun its shutdown-hook phase. */
    static final class JvmShutdown {

        private JvmShutdown() {}

        static boolean inProgress() {
            Thread probe = new Thread(() -> {}, "graceful-shutdown-probe");
            try {
                Runtime.getRuntime().addShutdownHook(probe);
                Runtime.getRuntime().removeShutdownHook(probe);
                return false;
            } catch (IllegalStateException shutdownInProgress) {
                return true;
            }
        }
    }
}
