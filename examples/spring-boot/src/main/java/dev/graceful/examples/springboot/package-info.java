/**
 * The Spring Boot example: a plain Spring MVC application on embedded Tomcat that drains without
 * loss because {@code graceful-spring-boot-starter} is on its class path.
 */
package dev.graceful.examples.springboot;
