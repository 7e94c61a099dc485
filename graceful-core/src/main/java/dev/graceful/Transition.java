package dev.graceful;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of {@link Phase}, as reported to {@link GracefulListener#onTransition(Transition)}.
 *
 * @param from   the phase before
 * @param to     the phase after
 * @param at     wall-clock time of the change
 * @param reason why the shutdown started (for example {@code "SIGTERM"}); empty before a shutdown
 */
public record Transition(Phase from, Phase to, Instant at, String reason) {

    /**
     * Validates the components.
     *
     * @param from   the phase before
     * @param to     the phase after
     * @param at     wall-clock time of the change
     * @param reason why the shutdown started
     */
    public Transition {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Whether the coarse {@link State} changed (not only the phase inside {@link State#DRAINING}).
     *
     * @return {@code true} when {@code from.state() != to.state()}
     */
    public boolean isStateChange() {
        return from.state() != to.state();
    }
}
