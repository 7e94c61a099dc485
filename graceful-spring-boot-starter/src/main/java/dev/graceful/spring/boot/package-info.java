/**
 * graceful for Spring Boot 4: add {@code graceful-spring-boot-starter} and a Spring MVC (Tomcat,
 * Jetty) or WebFlux (Reactor Netty) application drains without losing a request on SIGTERM.
 * Configure it with {@link dev.graceful.spring.boot.GracefulProperties graceful.*} properties;
 * contribute shutdown tasks as {@link dev.graceful.ShutdownTask} or
 * {@link dev.graceful.spring.boot.TimedShutdownTask} beans; inject the
 * {@link dev.graceful.GracefulShutdown} bean to track other kinds of work.
 */
package dev.graceful.spring.boot;
