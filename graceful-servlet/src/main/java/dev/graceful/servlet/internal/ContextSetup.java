package dev.graceful.servlet.internal;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of installing graceful on a servlet context that every hook shares (the filter's
 * installer, the Tomcat valve's, the Jetty handler's): one coordinator per context, the health
 * servlet on its paths.
 */
public final class ContextSetup {

    /** As {@code GracefulServlet.CONTEXT_ATTRIBUTE}. */
    public static final String CONTEXT_ATTRIBUTE = GracefulShutdown.class.getName();
    /** As {@code GracefulServlet.FILTER_NAME}. */
    public static final String FILTER_NAME = "graceful";
    /** As {@code GracefulServlet.HEALTH_SERVLET_NAME}. */
    public static final String HEALTH_SERVLET_NAME = "graceful-health";

    private static final Logger log = LoggerFactory.getLogger(ContextSetup.class);

    private ContextSetup() {}

    /**
     * Whether graceful is still to be installed on {@code context}: false when it already is, with
     * the same coordinator.
     *
     * @throws IllegalStateException when it is, with another coordinator
     */
    public static boolean needed(ServletContext context, GracefulShutdown graceful) {
        Object existing = context.getAttribute(CONTEXT_ATTRIBUTE);
        if (existing == graceful) {
            return false;
        }
        if (existing != null) {
            throw new IllegalStateException("graceful is already installed on servlet context '"
                    + context.getContextPath() + "' with another GracefulShutdown (" + existing + ")");
        }
        return true;
    }

    /**
     * Maps the health servlet on the paths of {@code health}, then marks the context as installed
     * with {@code graceful}.
     *
     * @param healthServlet the {@code HealthServlet} of {@code health} (made by the caller: this
     *                      package does not depend on the API's)
     * @return the health paths
     */
    public static Set<String> mapHealth(
            ServletContext context, GracefulShutdown graceful, HealthEndpoint health, Servlet healthServlet) {
        ServletRegistration.Dynamic servlet = context.addServlet(HEALTH_SERVLET_NAME, healthServlet);
        if (servlet == null) {
            throw new IllegalStateException("servlet context '" + context.getContextPath()
                    + "' already has a servlet named '" + HEALTH_SERVLET_NAME + "'");
        }
        Set<String> paths = new LinkedHashSet<>(health.readinessPaths());
        paths.addAll(health.livenessPaths());
        Set<String> taken = servlet.addMapping(paths.toArray(String[]::new));
        if (!taken.isEmpty()) {
            log.warn(
                    "Health paths {} are mapped to another servlet in context '{}': graceful does not answer them there",
                    taken,
                    context.getContextPath());
        }
        context.setAttribute(CONTEXT_ATTRIBUTE, graceful);
        return paths;
    }

    /**
     * What a server's own hook (a valve, a handler) installs on its context as the context starts:
     * the health servlet, unless graceful is installed there already with the same coordinator.
     *
     * @param hook          what the hook is, for the error: {@code "a valve"}, {@code "a handler"}
     * @param healthServlet the {@code HealthServlet} of {@code health}
     * @throws IllegalStateException (as the context starts) when graceful's filter is installed on
     *     the context too, or graceful with another coordinator
     */
    public static ServletContainerInitializer forHook(
            String hook, GracefulShutdown graceful, HealthEndpoint health, Servlet healthServlet) {
        return (classes, context) -> {
            if (context.getFilterRegistration(FILTER_NAME) != null) {
                // Each request would be counted twice, and refused by whichever runs first.
                throw new IllegalStateException("graceful is installed twice on context '" + context.getContextPath()
                        + "': as " + hook + " and as a filter; keep one");
            }
            if (needed(context, graceful)) {
                mapHealth(context, graceful, health, healthServlet);
            }
        };
    }
}
