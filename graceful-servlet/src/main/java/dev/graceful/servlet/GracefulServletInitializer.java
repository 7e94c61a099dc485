package dev.graceful.servlet;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs graceful in a plain WAR deployed to an external container; discovered by the container
 * through {@code META-INF/services/jakarta.servlet.ServletContainerInitializer}.
 *
 * <p>It creates one {@link GracefulShutdown} per web application, published as the context
 * attribute {@link GracefulServlet#CONTEXT_ATTRIBUTE} (register your trackers, readiness checks and
 * shutdown tasks on it), installs the filter and the health servlet, marks the application ready
 * once the context has started, and drains when the container destroys the context: in-flight
 * requests, asynchronous ones included, finish (up to the drain timeout) before the shutdown tasks
 * run and before the context's own listeners are destroyed.
 *
 * <p>Context init parameters (in {@code web.xml}):
 * <table>
 *   <caption>Init parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #ENABLED_PARAMETER}</td><td>{@code true}</td><td>{@code false} opts out: nothing
 *   is installed (install it yourself with {@link GracefulServlet#install})</td></tr>
 *   <tr><td>{@value #DRAIN_TIMEOUT_PARAMETER}</td><td>30s</td><td>see {@link GracefulConfig#drainTimeout()}</td></tr>
 *   <tr><td>{@value #READINESS_DELAY_PARAMETER}</td><td>0s</td><td>see {@link GracefulConfig#readinessDelay()}</td></tr>
 *   <tr><td>{@value #CLOSE_TIMEOUT_PARAMETER}</td><td>2s</td><td>see {@link GracefulConfig#closeTimeout()}</td></tr>
 *   <tr><td>{@value #READINESS_PROBES_PARAMETER}</td><td>0</td><td>see {@link GracefulConfig#readinessProbes()}</td></tr>
 *   <tr><td>{@value #READINESS_SETTLE_MARGIN_PARAMETER}</td><td>250ms</td><td>see
 *   {@link GracefulConfig#readinessSettleMargin()}</td></tr>
 * </table>
 *
 * <p>What it cannot do: the container owns the process, its signals and its connectors. graceful
 * does not trap signals here, does not stop the container's listeners, and cannot keep the
 * container from closing connections; the container decides when the context is destroyed (Tomcat,
 * for one, pauses its connectors first). See graceful-servlet/README.md, "In a WAR".
 */
public final class GracefulServletInitializer implements ServletContainerInitializer {

    /** Init parameter: {@code false} disables the automatic installation. */
    public static final String ENABLED_PARAMETER = "dev.graceful.servlet.enabled";
    /** Init parameter: the drain timeout, for example {@code 20s}. */
    public static final String DRAIN_TIMEOUT_PARAMETER = "dev.graceful.drainTimeout";
    /** Init parameter: the readiness delay, for example {@code 5s}. */
    public static final String READINESS_DELAY_PARAMETER = "dev.graceful.readinessDelay";
    /** Init parameter: the close timeout, for example {@code 2s}. */
    public static final String CLOSE_TIMEOUT_PARAMETER = "dev.graceful.closeTimeout";
    /** Init parameter: failing answers every health prober must see to end the readiness delay early, e.g. {@code 2}. */
    public static final String READINESS_PROBES_PARAMETER = "dev.graceful.readinessProbes";
    /** Init parameter: the settle margin after the probers saw enough, for example {@code 250ms}. */
    public static final String READINESS_SETTLE_MARGIN_PARAMETER = "dev.graceful.readinessSettleMargin";

    private static final Logger log = LoggerFactory.getLogger(GracefulServletInitializer.class);

    /** Creates the initializer (the container does). */
    public GracefulServletInitializer() {}

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        String enabled = context.getInitParameter(ENABLED_PARAMETER);
        if (enabled != null && enabled.trim().equalsIgnoreCase("false")) {
            log.info(
                    "graceful disabled on servlet context '{}' by init parameter {}=false",
                    context.getContextPath(),
                    ENABLED_PARAMETER);
            return;
        }
        if (context.getAttribute(GracefulServlet.CONTEXT_ATTRIBUTE) != null) {
            // Installed programmatically (an embedded server that also scans initializers).
            return;
        }
        GracefulShutdown graceful = GracefulShutdown.create(config(context));
        GracefulServlet.install(context, graceful);
        context.addListener(new DrainOnDestroy(graceful));
    }

    static GracefulConfig config(ServletContext context) {
        GracefulConfig.Builder builder = GracefulConfig.builder();
        apply(context, DRAIN_TIMEOUT_PARAMETER, builder::drainTimeout);
        apply(context, READINESS_DELAY_PARAMETER, builder::readinessDelay);
        apply(context, CLOSE_TIMEOUT_PARAMETER, builder::closeTimeout);
        apply(context, READINESS_SETTLE_MARGIN_PARAMETER, builder::readinessSettleMargin);
        set(context, READINESS_PROBES_PARAMETER, v -> builder.readinessProbes(Integer.parseInt(v.trim())));
        return builder.build();
    }

    private static void apply(ServletContext context, String name, Function<Duration, GracefulConfig.Builder> setter) {
        set(context, name, v -> setter.apply(Durations.parse(v)));
    }

    private static void set(ServletContext context, String name, Function<String, GracefulConfig.Builder> setter) {
        String value = context.getInitParameter(name);
        if (value == null || value.isBlank()) {
            return;
        }
        try {
            setter.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("servlet context init parameter " + name + ": " + e.getMessage(), e);
        }
    }

    /** Marks the application ready once started, and drains when the context is destroyed. */
    static final class DrainOnDestroy implements ServletContextListener {
        private final GracefulShutdown graceful;

        DrainOnDestroy(GracefulShutdown graceful) {
            this.graceful = graceful;
        }

        @Override
        public void contextInitialized(ServletContextEvent event) {
            graceful.markReady();
        }

        @Override
        public void contextDestroyed(ServletContextEvent event) {
            GracefulConfig config = graceful.config();
            // Bounded by the whole sequence, plus a margin for the tasks' own timeouts to be reported.
            Duration bound = config.fixedPhases().plus(config.watchdogMargin());
            try {
                ShutdownReport report = graceful.shutdown(
                                "servlet context '" + event.getServletContext().getContextPath() + "' destroyed")
                        .get(bound.toMillis(), TimeUnit.MILLISECONDS);
                log.debug(
                        "Drain of context '{}' done: {}",
                        event.getServletContext().getContextPath(),
                        report);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn(
                        "The drain of servlet context '{}' did not finish within {}; the container goes on",
                        event.getServletContext().getContextPath(),
                        Durations.format(bound),
                        e);
            }
        }
    }
}
