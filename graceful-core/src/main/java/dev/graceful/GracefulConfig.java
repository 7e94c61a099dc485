package dev.graceful;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The immutable configuration of a {@link GracefulShutdown}. Build one with {@link #builder()};
 * every setter validates its value at once and names the field and the value in its error, and
 * {@link Builder#build()} checks that the whole sequence fits the optional {@link #budget()}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th><th>meaning</th></tr>
 *   <tr><td>{@code readinessDelay}</td><td>0s</td><td>0 to 10m</td><td>after readiness starts failing, keep
 *   serving normally this long so load balancers stop routing here. 0 suits a deploy that takes the
 *   instance out of the proxy before signalling it (the nginx blue-green kit); on Kubernetes use
 *   5-10s, the time endpoint removal needs to reach every proxy.</td></tr>
 *   <tr><td>{@code drainTimeout}</td><td>30s</td><td>1ms to 1h</td><td>after new connections stop, how long
 *   in-flight work may take to finish before it is abandoned.</td></tr>
 *   <tr><td>{@code closeTimeout}</td><td>2s</td><td>1ms to 1m</td><td>how long participants may take to close
 *   idle connections (clean drain) or to force-close (timed-out drain).</td></tr>
 *   <tr><td>{@code defaultTaskTimeout}</td><td>5s</td><td>1ms to 10m</td><td>timeout of a shutdown task
 *   registered without one.</td></tr>
 *   <tr><td>{@code watchdogMargin}</td><td>5s</td><td>100ms to 10m</td><td>when graceful owns the process, it
 *   halts it if the whole sequence (and the JVM's exit) overruns its expected length by this much.</td></tr>
 *   <tr><td>{@code budget}</td><td>none</td><td>1s to 24h</td><td>the time the platform allows between its
 *   stop signal and its kill (systemd {@code TimeoutStopSec}, Kubernetes
 *   {@code terminationGracePeriodSeconds}). When set, readinessDelay + drainTimeout + closeTimeout +
 *   shutdown task timeouts + watchdogMargin must fit in it.</td></tr>
 *   <tr><td>{@code maxReportedInFlight}</td><td>20</td><td>0 to 10000</td><td>how many stuck units of work a
 *   timed-out drain describes in its log.</td></tr>
 *   <tr><td>{@code readinessCheckTimeout}</td><td>500ms</td><td>1ms to 1m</td><td>how long a readiness probe
 *   waits for one readiness check; a check that has not answered by then counts as failing (with the reason),
 *   so a probe answers in time even when a check hangs. Half of Kubernetes' default probe timeout (1s).</td></tr>
 *   <tr><td>{@code readinessProbes}</td><td>0</td><td>0 to 100</td><td>with N &gt; 0 the readiness delay is a
 *   maximum: it ends once every health prober seen in the 10s before the shutdown (by IP address and
 *   {@code User-Agent}) has been answered "not ready" N times on a readiness path, plus
 *   {@code readinessSettleMargin}. Set it to the load balancer's fall count (HAProxy {@code fall}).</td></tr>
 *   <tr><td>{@code readinessSettleMargin}</td><td>250ms</td><td>0 to 1m</td><td>with readinessProbes, how
 *   long to keep serving after the last prober saw its Nth failing answer.</td></tr>
 *   <tr><td>{@code longLivedTimeout}</td><td>5s (or drainTimeout, if shorter)</td><td>0 to 10m</td><td>long-lived connections (WebSockets,
 *   event streams: {@link LongLived}) are asked to leave when the listeners close; one still open this long
 *   after is cut. Cutting one loses nothing the client sent and leaves the exit status alone.</td></tr>
 * </table>
 */
public final class GracefulConfig {

    /** Default {@link #readinessDelay()}: none. */
    public static final Duration DEFAULT_READINESS_DELAY = Duration.ZERO;
    /** Default {@link #drainTimeout()}. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #closeTimeout()}. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(2);
    /** Default {@link #defaultTaskTimeout()}. */
    public static final Duration DEFAULT_TASK_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@link #watchdogMargin()}. */
    public static final Duration DEFAULT_WATCHDOG_MARGIN = Duration.ofSeconds(5);
    /** Default {@link #maxReportedInFlight()}. */
    public static final int DEFAULT_MAX_REPORTED_IN_FLIGHT = 20;
    /** Default {@link #readinessCheckTimeout()}: half of Kubernetes' default probe timeout of 1s. */
    public static final Duration DEFAULT_READINESS_CHECK_TIMEOUT = Duration.ofMillis(500);
    /** Default {@link #readinessSettleMargin()}: requests routed just before the balancer's mark-down. */
    public static final Duration DEFAULT_READINESS_SETTLE_MARGIN = Duration.ofMillis(250);
    /**
     * Default {@link #longLivedTimeout()}, or the drain timeout when that is shorter: a WebSocket close
     * handshake takes one round trip.
     */
    public static final Duration DEFAULT_LONG_LIVED_TIMEOUT = Duration.ofSeconds(5);

    private static final GracefulConfig DEFAULTS = builder().build();

    private final Duration readinessDelay;
    private final Duration drainTimeout;
    private final Duration closeTimeout;
    private final Duration defaultTaskTimeout;
    private final Duration watchdogMargin;
    private final Duration budget;
    private final int maxReportedInFlight;
    private final Duration readinessCheckTimeout;
    private final int readinessProbes;
    private final Duration readinessSettleMargin;
    private final Duration longLivedTimeout;
    private final Duration longLivedTimeoutSet; // null: the default, which follows drainTimeout

    private GracefulConfig(Builder b) {
        this.readinessDelay = b.readinessDelay;
        this.drainTimeout = b.drainTimeout;
        this.closeTimeout = b.closeTimeout;
        this.defaultTaskTimeout = b.defaultTaskTimeout;
        this.watchdogMargin = b.watchdogMargin;
        this.budget = b.budget;
        this.maxReportedInFlight = b.maxReportedInFlight;
        this.readinessCheckTimeout = b.readinessCheckTimeout;
        this.readinessProbes = b.readinessProbes;
        this.readinessSettleMargin = b.readinessSettleMargin;
        this.longLivedTimeoutSet = b.longLivedTimeout;
        this.longLivedTimeout = b.longLivedTimeout != null
                ? b.longLivedTimeout
                : DEFAULT_LONG_LIVED_TIMEOUT.compareTo(b.drainTimeout) <= 0
                        ? DEFAULT_LONG_LIVED_TIMEOUT
                        : b.drainTimeout;
    }

    /** The configuration with every default. */
    public static GracefulConfig defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = builder();
        b.longLivedTimeout = longLivedTimeoutSet;
        return b.readinessDelay(readinessDelay)
                .drainTimeout(drainTimeout)
                .closeTimeout(closeTimeout)
                .defaultTaskTimeout(defaultTaskTimeout)
                .watchdogMargin(watchdogMargin)
                .budget(budget)
                .maxReportedInFlight(maxReportedInFlight)
                .readinessCheckTimeout(readinessCheckTimeout)
                .readinessProbes(readinessProbes)
                .readinessSettleMargin(readinessSettleMargin);
    }

    /** How long to keep serving normally after readiness starts failing. */
    public Duration readinessDelay() {
        return readinessDelay;
    }

    /** How long in-flight work may take once new connections stop. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** How long participants may take to close idle connections or force-close. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** Timeout of shutdown tasks registered without their own. */
    public Duration defaultTaskTimeout() {
        return defaultTaskTimeout;
    }

    /** Overrun tolerated before the watchdog halts a process graceful owns. */
    public Duration watchdogMargin() {
        return watchdogMargin;
    }

    /** The platform's stop budget, if one was given. */
    public Optional<Duration> budget() {
        return Optional.ofNullable(budget);
    }

    /** How many stuck units of work a timed-out drain describes. */
    public int maxReportedInFlight() {
        return maxReportedInFlight;
    }

    /** How long a readiness probe waits for one readiness check before counting it as failing. */
    public Duration readinessCheckTimeout() {
        return readinessCheckTimeout;
    }

    /** Failing answers every prober must see before the readiness delay may end early; 0: a fixed delay. */
    public int readinessProbes() {
        return readinessProbes;
    }

    /** With {@link #readinessProbes()}, how long to serve on after the last prober saw enough. */
    public Duration readinessSettleMargin() {
        return readinessSettleMargin;
    }

    /**
     * How long a long-lived connection may take to close after it was asked to leave (the listeners
     * closed) before it is cut. Unless set, {@link #DEFAULT_LONG_LIVED_TIMEOUT} or the drain timeout,
     * whichever is shorter, so that the default never lengthens the sequence.
     */
    public Duration longLivedTimeout() {
        return longLivedTimeout;
    }

    /**
     * The length of the sequence without shutdown tasks: readiness delay + the longer of drain
     * timeout and long-lived timeout (both count from the listeners' close) + close timeout. Tasks
     * add their own timeouts.
     */
    public Duration fixedPhases() {
        return readinessDelay.plus(drainWindow()).plus(closeTimeout);
    }

    private Duration drainWindow() {
        return drainTimeout.compareTo(longLivedTimeout) >= 0 ? drainTimeout : longLivedTimeout;
    }

    @Override
    public String toString() {
        return "GracefulConfig{readinessDelay=" + Durations.format(readinessDelay)
                + ", drainTimeout=" + Durations.format(drainTimeout)
                + ", closeTimeout=" + Durations.format(closeTimeout)
                + ", defaultTaskTimeout=" + Durations.format(defaultTaskTimeout)
                + ", watchdogMargin=" + Durations.format(watchdogMargin)
                + ", budget=" + (budget == null ? "none" : Durations.format(budget))
                + ", maxReportedInFlight=" + maxReportedInFlight
                + ", readinessCheckTimeout=" + Durations.format(readinessCheckTimeout)
                + ", readinessProbes=" + readinessProbes
                + ", readinessSettleMargin=" + Durations.format(readinessSettleMargin)
                + ", longLivedTimeout=" + Durations.format(longLivedTimeout) + '}';
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof GracefulConfig c && values().equals(c.values()));
    }

    @Override
    public int hashCode() {
        return values().hashCode();
    }

    private List<Object> values() {
        return Arrays.asList(
                readinessDelay,
                drainTimeout,
                closeTimeout,
                defaultTaskTimeout,
                watchdogMargin,
                budget,
                maxReportedInFlight,
                readinessCheckTimeout,
                readinessProbes,
                readinessSettleMargin,
                longLivedTimeout);
    }

    /**
     * Checks that the sequence, including the given task timeouts, fits the budget.
     *
     * @param taskTimeouts the sum of the shutdown tasks' timeouts
     * @param taskDetail   how that sum is made up, for the message (may be empty)
     * @throws IllegalArgumentException naming every part when it does not fit
     */
    public void checkFitsBudget(Duration taskTimeouts, String taskDetail) {
        if (budget == null) {
            return;
        }
        Duration total = fixedPhases().plus(taskTimeouts).plus(watchdogMargin);
        if (total.compareTo(budget) > 0) {
            throw new IllegalArgumentException("the shutdown sequence does not fit its budget of "
                    + Durations.format(budget) + ": readinessDelay " + Durations.format(readinessDelay)
                    + (drainTimeout.equals(drainWindow())
                            ? " + drainTimeout " + Durations.format(drainTimeout)
                            : " + longLivedTimeout " + Durations.format(longLivedTimeout))
                    + " + closeTimeout " + Durations.format(closeTimeout)
                    + " + shutdown tasks " + Durations.format(taskTimeouts)
                    + (taskDetail.isEmpty() ? "" : " (" + taskDetail + ")")
                    + " + watchdogMargin " + Durations.format(watchdogMargin)
                    + " = " + Durations.format(total)
                    + "; shorten a part or raise the budget (and the platform's stop timeout with it)");
        }
    }

    /** Builds a {@link GracefulConfig}; each setter validates its argument. */
    public static final class Builder {
        private Duration readinessDelay = DEFAULT_READINESS_DELAY;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Duration defaultTaskTimeout = DEFAULT_TASK_TIMEOUT;
        private Duration watchdogMargin = DEFAULT_WATCHDOG_MARGIN;
        private Duration budget;
        private int maxReportedInFlight = DEFAULT_MAX_REPORTED_IN_FLIGHT;
        private Duration readinessCheckTimeout = DEFAULT_READINESS_CHECK_TIMEOUT;
        private int readinessProbes;
        private Duration readinessSettleMargin = DEFAULT_READINESS_SETTLE_MARGIN;
        private Duration longLivedTimeout;

        private Builder() {}

        /** Sets the readiness delay: 0 to 10 minutes. */
        public Builder readinessDelay(Duration value) {
            this.readinessDelay = check("readinessDelay", value, Duration.ZERO, Duration.ofMinutes(10));
            return this;
        }

        /** Sets the drain timeout: 1ms to 1 hour. */
        public Builder drainTimeout(Duration value) {
            this.drainTimeout = check("drainTimeout", value, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /** Sets the close timeout: 1ms to 1 minute. */
        public Builder closeTimeout(Duration value) {
            this.closeTimeout = check("closeTimeout", value, Duration.ofMillis(1), Duration.ofMinutes(1));
            return this;
        }

        /** Sets the timeout of shutdown tasks registered without one: 1ms to 10 minutes. */
        public Builder defaultTaskTimeout(Duration value) {
            this.defaultTaskTimeout = check("defaultTaskTimeout", value, Duration.ofMillis(1), Duration.ofMinutes(10));
            return this;
        }

        /** Sets the watchdog margin: 100ms to 10 minutes. */
        public Builder watchdogMargin(Duration value) {
            this.watchdogMargin = check("watchdogMargin", value, Duration.ofMillis(100), Duration.ofMinutes(10));
            return this;
        }

        /** Sets the platform's stop budget: 1 second to 24 hours, or {@code null} for none. */
        public Builder budget(Duration value) {
            this.budget = value == null ? null : check("budget", value, Duration.ofSeconds(1), Duration.ofHours(24));
            return this;
        }

        /** Sets how many stuck units of work a timed-out drain describes: 0 to 10000. */
        public Builder maxReportedInFlight(int value) {
            if (value < 0 || value > 10_000) {
                throw new IllegalArgumentException("maxReportedInFlight must be between 0 and 10000, was " + value);
            }
            this.maxReportedInFlight = value;
            return this;
        }

        /**
         * Sets how long a readiness probe waits for one readiness check.
         *
         * @param value 1ms to 1 minute; keep it well under the probe's own timeout
         * @return this builder
         */
        public Builder readinessCheckTimeout(Duration value) {
            this.readinessCheckTimeout =
                    check("readinessCheckTimeout", value, Duration.ofMillis(1), Duration.ofMinutes(1));
            return this;
        }

        /** Sets how many failing answers every health prober must see to end the readiness delay early: 0 to 100. */
        public Builder readinessProbes(int value) {
            if (value < 0 || value > 100) {
                throw new IllegalArgumentException("readinessProbes must be between 0 and 100, was " + value);
            }
            this.readinessProbes = value;
            return this;
        }

        /** Sets how long to keep serving after the last prober saw enough failing answers: 0 to 1 minute. */
        public Builder readinessSettleMargin(Duration value) {
            this.readinessSettleMargin = check("readinessSettleMargin", value, Duration.ZERO, Duration.ofMinutes(1));
            return this;
        }

        /** Sets how long a long-lived connection may take to leave before it is cut: 0 to 10 minutes. */
        public Builder longLivedTimeout(Duration value) {
            this.longLivedTimeout = check("longLivedTimeout", value, Duration.ZERO, Duration.ofMinutes(10));
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException when the sequence does not fit the budget
         */
        public GracefulConfig build() {
            GracefulConfig config = new GracefulConfig(this);
            config.checkFitsBudget(Duration.ZERO, "");
            return config;
        }

        private static Duration check(String field, Duration value, Duration min, Duration max) {
            return Durations.requireBetween(field, value, min, max);
        }
    }
}
