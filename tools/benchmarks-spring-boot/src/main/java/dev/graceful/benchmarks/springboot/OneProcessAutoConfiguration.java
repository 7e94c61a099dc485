package dev.graceful.benchmarks.springboot;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.ProtocolHandler;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/**
 * Group 2's {@code --one-process} mode for the Spring Boot example (docs/BENCHMARKS.md): with
 * {@code bench.one-process=true} the example's own application serves a second Tomcat connector, and
 * the starter's filter registration ({@code gracefulFilterRegistration}) gets a switch that sends that
 * connector's requests past graceful's filter. Requests of both ports then run the same compiled code
 * on the same heap and threads and pass the same switch; they differ in graceful's filter only. Once
 * the application is ready (graceful marked ready first), prints {@code plain port N}, the line that
 * {@code OneProcessPair} waits for ({@code OneProcess.PLAIN_PORT}).
 *
 * <p>The benchmark adds this jar to the example's class path through Spring Boot's
 * {@code PropertiesLauncher} ({@code loader.path}); the example itself knows nothing of it.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty("bench.one-process")
public final class OneProcessAutoConfiguration {

    /** The line's start that gives the runner the plain port: {@code OneProcess.PLAIN_PORT}. */
    static final String PLAIN_PORT = "plain port ";

    @Bean
    static PlainSide benchPlainSide() {
        return new PlainSide();
    }

    @Bean
    static WebServerFactoryCustomizer<TomcatServletWebServerFactory> benchPlainConnector(PlainSide plain) {
        return factory -> factory.addAdditionalConnectors(plain.connector(factory));
    }

    /** Static: a post-processor is created before the other beans. */
    @Bean
    static BeanPostProcessor benchPortSwitch(PlainSide plain) {
        return new BeanPostProcessor() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (name.equals("gracefulFilterRegistration") && bean instanceof FilterRegistrationBean r) {
                    r.setFilter(new PortSwitch(r.getFilter(), plain));
                    plain.switched = true;
                }
                return bean;
            }
        };
    }

    /** Unordered, so after graceful's own listener (first of all), which marks it ready. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> benchPrintPlainPort(PlainSide plain) {
        return ready -> System.out.println(PLAIN_PORT + plain.listening());
    }

    /** The second connector, and its port once it listens. */
    static final class PlainSide {
        private Connector connector;
        private boolean switched;
        /** Read by every request of both ports; written once, before the port is printed. */
        private volatile int port = -1;

        Connector connector(TomcatServletWebServerFactory factory) {
            connector = new PlainConnector(factory);
            return connector;
        }

        /** The plain port, from now on told apart by the switch; fails unless both sides are in place. */
        int listening() {
            if (connector == null || !switched || connector.getLocalPort() <= 0) {
                throw new IllegalStateException("bench.one-process needs the example on Tomcat with graceful's "
                        + "filter (gracefulFilterRegistration): second connector "
                        + (connector == null ? "not made" : "on port " + connector.getLocalPort())
                        + ", filter " + (switched ? "switched" : "not found"));
            }
            port = connector.getLocalPort();
            return port;
        }
    }

    /**
     * A connector configured as the factory configures its own (the {@code server.tomcat.*} properties:
     * threads, keep-alive, virtual threads): Spring Boot applies its customizers to the main connector
     * only, and the two ports must differ in graceful alone. Applied at initialization, when every
     * customizer has been added to the factory.
     */
    private static final class PlainConnector extends Connector {
        private final TomcatServletWebServerFactory factory;

        PlainConnector(TomcatServletWebServerFactory factory) {
            super(factory.getProtocol());
            this.factory = factory;
            setPort(0);
        }

        @Override
        protected void initInternal() throws LifecycleException {
            // In the order of Spring Boot's own (TomcatWebServerFactory.customizeConnector); what it does
            // besides (address, server header, SSL, HTTP/2, compression) is off in the example.
            ProtocolHandler handler = getProtocolHandler();
            LambdaSafe.callbacks(
                            TomcatProtocolHandlerCustomizer.class, factory.getProtocolHandlerCustomizers(), handler)
                    .invoke(c -> c.customize(handler));
            factory.getConnectorCustomizers().forEach(c -> c.customize(this));
            super.initInternal();
        }
    }

    /** Graceful's filter for the example's port; the plain port's requests go on down the chain. */
    private static final class PortSwitch implements Filter {
        private final Filter graceful;
        private final PlainSide plain;

        PortSwitch(Filter graceful, PlainSide plain) {
            this.graceful = graceful;
            this.plain = plain;
        }

        @Override
        public void init(FilterConfig config) throws ServletException {
            graceful.init(config);
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (request.getLocalPort() == plain.port) {
                chain.doFilter(request, response);
            } else {
                graceful.doFilter(request, response, chain);
            }
        }

        @Override
        public void destroy() {
            graceful.destroy();
        }
    }
}
