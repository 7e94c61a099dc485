/**
 * Embedded Jetty 12: the participant ({@link dev.graceful.servlet.jetty.JettyParticipant}, needs
 * {@code org.eclipse.jetty:jetty-server}) and the request-tracking handler for an ee11 servlet
 * context ({@link dev.graceful.servlet.jetty.GracefulJettyHandler}, needs
 * {@code org.eclipse.jetty.ee11:jetty-ee11-servlet}); both optional dependencies of graceful-servlet.
 */
package dev.graceful.servlet.jetty;
