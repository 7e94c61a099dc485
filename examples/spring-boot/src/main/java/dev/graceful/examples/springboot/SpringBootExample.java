package dev.graceful.examples.springboot;

import dev.graceful.examples.ExampleController;
import dev.graceful.examples.ExampleOptions;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/**
 * A plain Spring Boot web application. Nothing in it is about graceful shutdown: adding
 * {@code graceful-spring-boot-starter} (and two properties in {@code application.properties}) is
 * what makes SIGTERM drain it without failing a request.
 */
@SpringBootApplication
@Import(ExampleController.class)
public class SpringBootExample {

    /**
     * Runs the example.
     *
     * @param args {@code [--port P] [--version V] [--drain-timeout D] [--readiness-delay D]}, the
     *             contract's options, handed to Spring as the properties that
     *             {@code application.properties} maps
     */
    public static void main(String[] args) {
        SpringApplication.run(
                SpringBootExample.class,
                ExampleOptions.parseOrExit("spring-boot", args).springArguments());
    }
}
