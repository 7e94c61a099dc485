package dev.graceful.servlet;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.servlet.internal.ContextSetup;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires graceful into a servlet context: the {@link GracefulFilter} first on {@code /*}, and the
 * {@link HealthServlet} on the health paths.
 *
 * <p>Embedded servers add the initializer before they start:
 *
 * <pre>{@code
 * // Jetty 12 (ee10/ee11)
 * context.addServletContainerInitializer(GracefulServlet.initializer(graceful));
 * // Tomcat 11
 * context.addServletContainerInitializer(GracefulServlet.initializer(graceful), null);
 * }</pre>
 *
 * <p>On embedded Tomcat, {@link dev.graceful.servlet.tomcat.GracefulValve#install} does the same
 * with a valve in place of the filter: requests reach it without a filter chain, which is cheaper.
 *
 * <p>A plain WAR needs nothing: {@link GracefulServletInitializer} is discovered by the container.
 */
public final class GracefulServlet {

    /**
     * The servlet-context attribute holding the {@link GracefulShutdown} graceful was installed
     * with, so that application code can register its own trackers, checks and shutdown tasks on it.
     */
    public static final String CONTEXT_ATTRIBUTE = ContextSetup.CONTEXT_ATTRIBUTE;
    /** The name of the registered filter. */
    public static final String FILTER_NAME = ContextSetup.FILTER_NAME;
    /** The name of the registered health servlet. */
    public static final String HEALTH_SERVLET_NAME = ContextSetup.HEALTH_SERVLET_NAME;

    private static final Logger log = LoggerFactory.getLogger(GracefulServlet.class);

    private GracefulServlet() {}

    /**
     * Registers the filter and the health servlet (default paths). Call it while the context
     * starts (from a {@link ServletContainerInitializer} or a {@code ServletContextListener}).
     *
     * @param context  the context
     * @param graceful the coordinator
     * @throws IllegalStateException when graceful was already installed on this context with
     *                               another coordinator, or the context has already started
     */
    public static void install(ServletContext context, GracefulShutdown graceful) {
        install(context, graceful, HealthEndpoint.of(Objects.requireNonNull(graceful, "graceful")));
    }

    /**
     * Registers the filter and a health servlet on the paths of {@code health}.
     *
     * @param context  the context
     * @param graceful the coordinator
     * @param health   the health endpoint (its paths are served by the health servlet and not tracked)
     * @throws IllegalStateException when graceful was already installed on this context with
     *                               another coordinator, or the context has already started
     */
    public static void install(ServletContext context, GracefulShutdown graceful, HealthEndpoint health) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(graceful, "graceful");
        Objects.requireNonNull(health, "health");
        if (!ContextSetup.needed(context, graceful)) {
            return;
        }
        FilterRegistration.Dynamic filter = context.addFilter(FILTER_NAME, GracefulFilter.create(graceful, health));
        if (filter == null) {
            throw new IllegalStateException("servlet context '" + context.getContextPath()
                    + "' already has a filter named '" + FILTER_NAME + "'");
        }
        filter.setAsyncSupported(true);
        // isMatchAfter=false: before the filters declared in web.xml, so that the whole chain is tracked.
        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        Set<String> paths = ContextSetup.mapHealth(context, graceful, health, HealthServlet.create(health));
        log.debug("Installed on servlet context '{}': filter on /*, health on {}", context.getContextPath(), paths);
    }

    /**
     * An initializer that {@link #install(ServletContext, GracefulShutdown) installs} graceful
     * when the context starts: the way to wire embedded Jetty and Tomcat.
     *
     * @param graceful the coordinator
     * @return the initializer
     */
    public static ServletContainerInitializer initializer(GracefulShutdown graceful) {
        Objects.requireNonNull(graceful, "graceful");
        return (classes, context) -> install(context, graceful);
    }
}
