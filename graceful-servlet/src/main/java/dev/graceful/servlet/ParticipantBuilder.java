package dev.graceful.servlet;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Participant;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every server participant's builder shares ({@code JettyParticipant.Builder},
 * {@code TomcatParticipant.Builder}), and how a participant is registered with a coordinator.
 *
 * @param <B> the concrete builder, returned by every setter
 * @param <P> the participant it builds
 */
public abstract class ParticipantBuilder<B extends ParticipantBuilder<B, P>, P extends Participant> {

    private boolean stopServer = true;
    private Duration connectionCloseTimeout = GracefulConfig.DEFAULT_CLOSE_TIMEOUT;

    /** For the participants' own builders only. */
    protected ParticipantBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * Whether {@code closeIdle}/{@code forceClose} stop the whole server (the default: an
     * embedded application's {@code server.join()} then returns) or only its connectors (when a
     * framework owns the server's lifecycle and stops it later). A Tomcat participant built from
     * connectors always stops only those.
     *
     * @param value {@code true} to stop the server
     * @return this builder
     */
    public B stopServer(boolean value) {
        this.stopServer = value;
        return self();
    }

    /**
     * How long {@code closeIdle} waits for connections still reading or answering a request
     * before it stops anyway.
     *
     * @param value 1ms to 1 minute
     * @return this builder
     */
    public B connectionCloseTimeout(Duration value) {
        this.connectionCloseTimeout =
                Durations.requireBetween("connectionCloseTimeout", value, Duration.ofMillis(1), Duration.ofMinutes(1));
        return self();
    }

    /** Whether the participant stops the whole server, for the concrete builder. */
    protected final boolean stopsServer() {
        return stopServer;
    }

    /** How long the final close waits for busy connections, for the concrete builder. */
    protected final Duration closeTimeout() {
        return connectionCloseTimeout;
    }

    /**
     * Builds the participant.
     *
     * @return the participant (not registered)
     */
    public abstract P build();

    /**
     * Builds a participant whose connection close timeout is {@code graceful}'s, and registers it:
     * what every participant's {@code register} does.
     *
     * @param graceful the coordinator
     * @param builder  the participant's builder
     * @param <P>      the participant's type
     * @return the registered participant
     */
    public static <P extends Participant> P register(GracefulShutdown graceful, ParticipantBuilder<?, P> builder) {
        Objects.requireNonNull(graceful, "graceful");
        P participant =
                builder.connectionCloseTimeout(graceful.config().closeTimeout()).build();
        graceful.register(participant);
        return participant;
    }
}
