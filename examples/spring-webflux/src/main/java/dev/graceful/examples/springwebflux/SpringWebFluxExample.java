package dev.graceful.examples.springwebflux;

import dev.graceful.GracefulShutdown;
import dev.graceful.examples.ExampleController;
import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.ExampleReload;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * A plain Spring Boot WebFlux application on Reactor Netty. Nothing in it is about graceful
 * shutdown: adding {@code graceful-spring-boot-starter} (and two properties in
 * {@code application.properties}) is what makes SIGTERM drain it without failing a request, and
 * exit as soon as it has drained.
 */
@SpringBootApplication
@Import(ExampleController.class)
public class SpringWebFluxExample {

    /**
     * Runs the example.
     *
     * @param args {@code [--port P] [--version V] [--drain-timeout D] [--readiness-delay D] [--readiness-probes N]
     *             [--threads T]}, the contract's options, handed to Spring as the properties that
     *             {@code application.properties} maps
     */
    public static void main(String[] args) {
        ExampleOptions options = ExampleOptions.parseOrExit("spring-webflux", args);
        if (options.virtualThreads()) {
            System.err.println("graceful-example-spring-webflux: --threads virtual does not apply: requests run on"
                    + " Reactor Netty's event loops, which must not block");
            System.exit(ExampleOptions.USAGE_EXIT_CODE);
        }
        SpringApplication.run(SpringWebFluxExample.class, options.springArguments());
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
