/**
 * Embedded Tomcat 11: the participant ({@link dev.graceful.servlet.tomcat.TomcatParticipant}) and the
 * request tracking as a valve ({@link dev.graceful.servlet.tomcat.GracefulValve}).
 * Needs {@code org.apache.tomcat.embed:tomcat-embed-core} (an optional dependency of graceful-servlet).
 */
package dev.graceful.servlet.tomcat;
