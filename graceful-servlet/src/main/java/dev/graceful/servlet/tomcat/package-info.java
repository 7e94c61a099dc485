/**
 * The participant for embedded Tomcat 11: {@link dev.graceful.servlet.tomcat.TomcatParticipant}.
 * Needs {@code org.apache.tomcat.embed:tomcat-embed-core} (an optional dependency of graceful-servlet).
 */
package dev.graceful.servlet.tomcat;
