package dev.graceful.spring.boot.internal;

import dev.graceful.GracefulShutdown;
import dev.graceful.Participant;
import dev.graceful.servlet.jetty.JettyParticipant;
import dev.graceful.servlet.tomcat.TomcatParticipant;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Registers graceful-servlet's participant for the application's embedded Tomcat or Jetty once
 * it has started. A separate management server (namespace {@code management}) is left alone: it
 * keeps answering probes and Actuator until Spring closes it.
 *
 * <p>The participants stop only the connectors at the end, not the server: the server's lifecycle
 * is Spring Boot's, which stops and destroys it when the context closes, after the drain. Boot's
 * own graceful shutdown ({@code server.shutdown=graceful}) then finds nothing left to wait for.
 */
public abstract class ServletServerParticipants implements ApplicationListener<WebServerInitializedEvent> {

    private final GracefulShutdown graceful;

    ServletServerParticipants(GracefulShutdown graceful) {
        this.graceful = graceful;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (WebServerApplicationContext.getServerNamespace(event.getApplicationContext()) != null) {
            return;
        }
        Participant participant = participantFor(event.getWebServer(), graceful);
        if (participant != null) {
            graceful.register(participant);
        }
    }

    abstract Participant participantFor(WebServer webServer, GracefulShutdown graceful);

    /** For Spring Boot's embedded Tomcat. */
    public static final class Tomcat extends ServletServerParticipants {

        /**
         * Creates the registrar.
         *
         * @param graceful the coordinator
         */
        public Tomcat(GracefulShutdown graceful) {
            super(graceful);
        }

        @Override
        Participant participantFor(WebServer webServer, GracefulShutdown graceful) {
            if (!(webServer instanceof TomcatWebServer tomcat)) {
                return null;
            }
            return TomcatParticipant.builder(tomcat.getTomcat()).stopServer(false)
                    .connectionCloseTimeout(graceful.config().closeTimeout()).build();
        }
    }

    /** For Spring Boot's embedded Jetty. */
    public static final class Jetty extends ServletServerParticipants {

        /**
         * Creates the registrar.
         *
         * @param graceful the coordinator
         */
        public Jetty(GracefulShutdown graceful) {
            super(graceful);
        }

        @Override
        Participant participantFor(WebServer webServer, GracefulShutdown graceful) {
            if (!(webServer instanceof JettyWebServer jetty)) {
                return null;
            }
            return JettyParticipant.builder(jetty.getServer()).stopServer(false)
                    .connectionCloseTimeout(graceful.config().closeTimeout()).build();
        }
    }
}
