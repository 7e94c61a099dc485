/**
 * The participant for embedded Jetty 12: {@link dev.graceful.servlet.jetty.JettyParticipant}.
 * Needs {@code org.eclipse.jetty:jetty-server} (an optional dependency of graceful-servlet).
 */
package dev.graceful.servlet.jetty;
