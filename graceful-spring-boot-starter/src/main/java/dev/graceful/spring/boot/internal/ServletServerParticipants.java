package dev.graceful.spring.boot.internal;

import dev.graceful.GracefulShutdown;
import dev.graceful.Participant;
import dev.graceful.servlet.ParticipantBuilder;
import dev.graceful.servlet.jetty.JettyParticipant;
import dev.graceful.servlet.tomcat.TomcatParticipant;
import java.util.function.Function;
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
    private final Function<WebServer, Participant> participantFor;

    /**
     * @param type    the server type this registrar joins; other servers are left alone
     * @param builder the participant's builder for a server of that type; the participant stops
     *                only the server's connectors and closes connections within graceful's close timeout
     */
    <S extends WebServer> ServletServerParticipants(
            GracefulShutdown graceful, Class<S> type, Function<S, ParticipantBuilder<?, ?>> builder) {
        this.graceful = graceful;
        this.participantFor = server -> type.isInstance(server)
                ? builder.apply(type.cast(server))
                        .stopServer(false)
                        .connectionCloseTimeout(graceful.config().closeTimeout())
                        .build()
                : null;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (WebServerApplicationContext.getServerNamespace(event.getApplicationContext()) != null) {
            return;
        }
        Participant participant = participantFor.apply(event.getWebServer());
        if (participant != null) {
            graceful.register(participant);
        }
    }

    /** For Spring Boot's embedded Tomcat. */
    public static final class Tomcat extends ServletServerParticipants {

        public Tomcat(GracefulShutdown graceful) {
            super(graceful, TomcatWebServer.class, server -> TomcatParticipant.builder(server.getTomcat()));
        }
    }

    /** For Spring Boot's embedded Jetty. */
    public static final class Jetty extends ServletServerParticipants {

        public Jetty(GracefulShutdown graceful) {
            super(graceful, JettyWebServer.class, server -> JettyParticipant.builder(server.getServer()));
        }
    }
}
