package dev.graceful.benchmarks.springboot;

import dev.graceful.servlet.tomcat.GracefulValve;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ProtocolHandler;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Group 2's {@code --one-process} mode for the Spring Boot example (docs/BENCHMARKS.md): with
 * {@code bench.one-process=true} the example's own application serves a second Tomcat connector, and
 * graceful's hook gets a switch that sends that connector's requests past it: a valve in front of the
 * starter's {@code GracefulValve} (bean {@code gracefulTomcatValve}), or, with
 * {@code graceful.servlet.hook=filter}, a filter around the starter's ({@code gracefulFilterRegistration}).
 * Requests of both ports then run the same compiled code on the same heap and threads and pass the
 * same switch; they differ in graceful's hook only. Once
 * the application is ready (graceful marked ready first), prints {@code plain port N}, the line that
 * {@code OneProcessPair} waits for ({@code OneProcess.PLAIN_PORT}). With {@code bench.one-process-swapped=true}
 * the sides swap: the example's own port skips graceful, and the second connector's gets it, printed
 * first as {@code graceful port N} ({@code OneProcess.GRACEFUL_PORT}).
 *
 * <p>The benchmark adds this jar to the example's class path through Spring Boot's
 * {@code PropertiesLauncher} ({@code loader.path}); the example itself knows nothing of it.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty("bench.one-process")
public final class OneProcessAutoConfiguration {

    /** The line's start that gives the runner the plain port: {@code OneProcess.PLAIN_PORT}. */
    static final String PLAIN_PORT = "plain port ";
    /** The line's start that gives the runner graceful's port when swapped: {@code OneProcess.GRACEFUL_PORT}. */
    static final String GRACEFUL_PORT = "graceful port ";

    @Bean
    static PlainSide benchPlainSide(Environment environment) {
        return new PlainSide(environment.getProperty("bench.one-process-swapped", Boolean.class, false));
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
                }
                if (name.equals("gracefulTomcatValve") && bean instanceof TomcatContextCustomizer valve) {
                    return (TomcatContextCustomizer) context -> {
                        // A pipeline only appends: the switch first, then graceful's valve right after it.
                        PortSwitchValve in = new PortSwitchValve(plain);
                        context.getPipeline().addValve(in);
                        valve.customize(context);
                        in.checkGracefulNext();
                    };
                }
                return bean;
            }
        };
    }

    /** Unordered, so after graceful's own listener (first of all), which marks it ready. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> benchPrintPlainPort(PlainSide plain) {
        return ready -> plain.announce(((WebServerApplicationContext) ready.getApplicationContext())
                .getWebServer()
                .getPort());
    }

    /** The second connector, and the port whose requests skip graceful once both listen. */
    static final class PlainSide {
        private final boolean swapped;
        private Connector connector;
        private boolean switched;
        /** Read by every request of both ports; written once, before the ports are printed. */
        private volatile int port = -1;

        PlainSide(boolean swapped) {
            this.swapped = swapped;
        }

        Connector connector(TomcatServletWebServerFactory factory) {
            connector = new PlainConnector(factory);
            return connector;
        }

        /**
         * Tells the switch the plain port (the second connector's, or when swapped the example's own,
         * {@code examplePort}) and prints the ports; fails unless both sides are in place.
         */
        void announce(int examplePort) {
            if (connector == null || !switched || connector.getLocalPort() <= 0) {
                throw new IllegalStateException("bench.one-process needs the example on Tomcat with graceful's "
                        + "valve (gracefulTomcatValve) or filter (gracefulFilterRegistration): second connector "
                        + (connector == null ? "not made" : "on port " + connector.getLocalPort())
                        + ", graceful's hook " + (switched ? "switched" : "not found"));
            }
            int second = connector.getLocalPort();
            port = swapped ? examplePort : second;
            if (swapped) {
                System.out.println(GRACEFUL_PORT + second);
            }
            System.out.println(PLAIN_PORT + port);
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

    /**
     * In front of graceful's valve: the example's port's requests go on to it, the plain port's past
     * it, to the valve after it.
     */
    private static final class PortSwitchValve extends ValveBase {
        private final PlainSide plain;

        private PortSwitchValve(PlainSide plain) {
            super(true);
            this.plain = plain;
        }

        /** Marks the switch in place once graceful's valve is the next one. */
        void checkGracefulNext() {
            if (getNext() instanceof GracefulValve) {
                plain.switched = true;
            }
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            if (request.getLocalPort() == plain.port) {
                getNext().getNext().invoke(request, response);
            } else {
                getNext().invoke(request, response);
            }
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
            // Only a registered filter is initialized: with the valve, the registration stands aside.
            plain.switched = true;
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
