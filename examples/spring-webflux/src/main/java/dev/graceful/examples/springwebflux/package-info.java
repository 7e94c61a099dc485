/**
 * The Spring WebFlux example: a plain WebFlux application on Reactor Netty that drains without loss
 * and exits as soon as it has drained because {@code graceful-spring-boot-starter} is on its class path.
 */
package dev.graceful.examples.springwebflux;
