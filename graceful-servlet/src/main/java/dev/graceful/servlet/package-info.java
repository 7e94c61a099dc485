/**
 * Graceful shutdown for Jakarta Servlet applications.
 *
 * <ul>
 *   <li>{@link dev.graceful.servlet.GracefulFilter} tracks every request as in-flight work, exactly,
 *   asynchronous requests included; while draining it asks clients to close their connections, and
 *   after the final close it refuses with a retryable 503.</li>
 *   <li>{@link dev.graceful.servlet.HealthServlet} answers {@code /healthz}, {@code /readyz} and
 *   {@code /livez} on the application port.</li>
 *   <li>{@link dev.graceful.servlet.GracefulServlet} registers both on a servlet context;
 *   {@link dev.graceful.servlet.GracefulServletInitializer} does so in a plain WAR.</li>
 * </ul>
 *
 * <p>Stopping the listener and closing connections is the container's part: see
 * {@code dev.graceful.servlet.jetty.JettyParticipant} and
 * {@code dev.graceful.servlet.tomcat.TomcatParticipant} for embedded servers.
 */
package dev.graceful.servlet;
