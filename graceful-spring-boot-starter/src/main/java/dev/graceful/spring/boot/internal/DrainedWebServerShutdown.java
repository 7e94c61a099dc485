package dev.graceful.spring.boot.internal;

import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.Shutdown;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Sets {@link Shutdown#IMMEDIATE} on the web server that graceful drains, whatever
 * {@code server.shutdown} says (Spring Boot 4 defaults it to {@code graceful}).
 *
 * <p>By the time Spring closes the context, graceful has already drained that server: it stopped
 * accepting, let in-flight requests finish, closed the connections, and, on a timeout, abandoned
 * and reported what was stuck. Boot's graceful phase would only wait, for up to
 * {@code spring.lifecycle.timeout-per-shutdown-phase}, for requests graceful has already given up
 * on (an abandoned asynchronous request keeps Tomcat "active"), turning a prompt exit after a
 * timed-out drain or a second signal into a watchdog halt. Other servers (a separate management
 * server) keep Boot's setting.
 */
public final class DrainedWebServerShutdown
        implements WebServerFactoryCustomizer<ConfigurableWebServerFactory>, Ordered {

    private final Class<? extends ConfigurableWebServerFactory> drained;

    /**
     * Creates the customizer.
     *
     * @param drained the factory type whose servers graceful drains
     */
    public DrainedWebServerShutdown(Class<? extends ConfigurableWebServerFactory> drained) {
        this.drained = drained;
    }

    @Override
    public void customize(ConfigurableWebServerFactory factory) {
        if (drained.isInstance(factory)) {
            factory.setShutdown(Shutdown.IMMEDIATE);
        }
    }

    @Override
    public int getOrder() {
        // After Boot's own customizer has applied server.shutdown.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
