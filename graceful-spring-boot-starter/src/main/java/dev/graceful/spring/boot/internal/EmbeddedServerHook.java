package dev.graceful.spring.boot.internal;

import dev.graceful.servlet.GracefulFilter;
import dev.graceful.servlet.HealthServlet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;

/**
 * Whether graceful went into the application's embedded Tomcat or Jetty through the server's own
 * hook (graceful-servlet's {@code GracefulValve}, {@code GracefulJettyHandler}), which costs less
 * per request than the filter. The hook installs the health servlet itself.
 *
 * <p>The filter and health servlet registrations stay beans all the same: an application deployed
 * as a WAR builds no embedded server, so no hook is installed, and there they install graceful.
 * Where the hook is in, they stand aside. Spring Boot applies the server's customizers as it
 * builds the server, before the servlet context starts and the registrations run.
 */
public final class EmbeddedServerHook {

    private final AtomicBoolean installed = new AtomicBoolean();

    /**
     * Claims the hook for the server being built: true the first time only. The application's
     * server is built first, as the context refreshes; a separate management server, built after
     * it, is left alone (as {@link ServletServerParticipants} leaves it) should it ever be built
     * with the application context's customizers.
     */
    public boolean claim() {
        return installed.compareAndSet(false, true);
    }

    /** Whether a server's hook is installed. */
    public boolean installed() {
        return installed.get();
    }

    /** A registration of {@code filter} that is disabled once a hook is installed. */
    public FilterRegistrationBean<GracefulFilter> filterUnlessHooked(GracefulFilter filter) {
        return new FilterRegistrationBean<>(filter) {
            @Override
            public boolean isEnabled() {
                return super.isEnabled() && !installed();
            }
        };
    }

    /** A registration of {@code servlet} on {@code paths} that is disabled once a hook is installed. */
    public ServletRegistrationBean<HealthServlet> healthUnlessHooked(HealthServlet servlet, String... paths) {
        return new ServletRegistrationBean<>(servlet, paths) {
            @Override
            public boolean isEnabled() {
                return super.isEnabled() && !installed();
            }
        };
    }

    @Override
    public String toString() {
        return "EmbeddedServerHook[" + (installed() ? "installed" : "not installed") + "]";
    }
}
