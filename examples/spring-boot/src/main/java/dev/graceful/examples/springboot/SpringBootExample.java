package dev.graceful.examples.springboot;

import dev.graceful.GracefulShutdown;
import dev.graceful.examples.ExampleController;
import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.ExampleReload;
import org.apache.tomcat.util.threads.VirtualThreadExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * A plain Spring Boot web application. Nothing in it is about graceful shutdown: adding
 * {@code graceful-spring-boot-starter} (and two properties in {@code application.properties}) is
 * what makes SIGTERM drain it without failing a request.
 */
@SpringBootApplication
@Import(ExampleController.class)
public class SpringBootExample {

    private static final Logger log = LoggerFactory.getLogger(SpringBootExample.class);

    /**
     * Runs the example.
     *
     * @param args {@code [--port P] [--version V] [--drain-timeout D] [--readiness-delay D] [--readiness-probes N]
     *             [--threads T]}, the contract's options, handed to Spring as the properties that
     *             {@code application.properties} maps
     */
    public static void main(String[] args) {
        ConfigurableApplicationContext context = SpringApplication.run(
                SpringBootExample.class,
                ExampleOptions.parseOrExit("spring-boot", args).springArguments());
        // What Tomcat really runs requests on, so that a test can tell the property took effect.
        if (context instanceof WebServerApplicationContext web && web.getWebServer() instanceof TomcatWebServer t) {
            boolean virtual =
                    t.getTomcat().getConnector().getProtocolHandler().getExecutor() instanceof VirtualThreadExecutor;
            log.info("spring-boot example: requests on {} threads", virtual ? "virtual" : "platform");
        }
    }

    /**
     * SIGHUP (or {@code systemctl reload}) logs {@code reloaded (N)} and the app keeps serving;
     * registered before the server starts. Only with the starter: the benchmarks also run this
     * application without it, as their baseline.
     */
    @Bean
    SmartInitializingSingleton exampleReload(ObjectProvider<GracefulShutdown> graceful) {
        return () -> graceful.ifAvailable(ExampleReload::register);
    }
}
