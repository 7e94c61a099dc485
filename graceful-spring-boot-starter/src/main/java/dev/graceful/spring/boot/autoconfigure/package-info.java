/**
 * The Spring Boot auto-configuration of graceful, listed in
 * {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}.
 * Applications do not use these classes directly; exclude one with
 * {@code spring.autoconfigure.exclude} or switch everything off with {@code graceful.enabled=false}.
 */
package dev.graceful.spring.boot.autoconfigure;
