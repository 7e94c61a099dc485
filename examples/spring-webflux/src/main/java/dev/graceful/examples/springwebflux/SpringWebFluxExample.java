package dev.graceful.examples.springwebflux;

import dev.graceful.examples.ExampleController;
import dev.graceful.examples.ExampleOptions;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
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
     * @param args {@code [--port P] [--version V] [--drain-timeout D] [--readiness-delay D]}, the
     *             contract's options, handed to Spring as the properties that
     *             {@code application.properties} maps
     */
    public static void main(String[] args) {
        SpringApplication.run(
                SpringWebFluxExample.class,
                ExampleOptions.parseOrExit("spring-webflux", args).springArguments());
    }
}
