package dev.graceful.spring.boot;

import dev.graceful.GracefulConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code graceful.*} configuration properties of the starter. Each duration maps to the
 * {@link GracefulConfig} setting of the same name and is validated by it at startup: a bad value
 * stops the application with a message naming the property and the value.
 *
 * <pre>
 * graceful.readiness-delay=5s
 * graceful.drain-timeout=20s
 * graceful.budget=30s
 * </pre>
 */
@ConfigurationProperties(prefix = GracefulProperties.PREFIX)
public class GracefulProperties {

    /** The prefix of every property. */
    public static final String PREFIX = "graceful";

    /**
     * Whether to enable graceful shutdown. When false the starter configures nothing and Spring
     * Boot's own shutdown behaviour applies.
     */
    private boolean enabled = true;

    /**
     * How long to keep serving normally after readiness starts failing, so that load balancers
     * stop routing here before new connections are refused. 0s suits a deploy that takes the
     * instance out of the proxy before signalling it; on Kubernetes use 5-10s.
     */
    private Duration readinessDelay = GracefulConfig.DEFAULT_READINESS_DELAY;

    /**
     * How long in-flight requests may take to finish once new connections stop being accepted.
     * Work still running after it is abandoned, logged and counted, and the exit code is non-zero.
     */
    private Duration drainTimeout = GracefulConfig.DEFAULT_DRAIN_TIMEOUT;

    /**
     * How long the web server may take to close idle connections after a clean drain, or to
     * force-close everything after a timed-out one.
     */
    private Duration closeTimeout = GracefulConfig.DEFAULT_CLOSE_TIMEOUT;

    /**
     * How long long-lived connections (WebSockets, event streams) may take to leave once asked
     * (Close 1001, end of the stream) when the listeners close; one still open then is cut. They
     * do not hold the ordinary drain, and a cut does not change the exit status. Unset: 5s, or the
     * drain timeout if that is shorter.
     */
    private Duration longLivedTimeout;

    /**
     * Timeout of a shutdown task bean that does not declare its own (see TimedShutdownTask).
     */
    private Duration defaultTaskTimeout = GracefulConfig.DEFAULT_TASK_TIMEOUT;

    /**
     * When graceful owns the process, how far the shutdown (the drain, then Spring's context
     * close in the JVM's shutdown hook) may overrun before the process is halted with exit code
     * 124.
     */
    private Duration watchdogMargin = GracefulConfig.DEFAULT_WATCHDOG_MARGIN;

    /**
     * The platform's stop budget (Kubernetes terminationGracePeriodSeconds, systemd
     * TimeoutStopSec). When set, readiness-delay + drain-timeout + close-timeout + the timeouts
     * of the shutdown task beans + watchdog-margin must fit in it, or startup fails.
     */
    private Duration budget;

    /** How many stuck requests a timed-out drain describes in its log. */
    private int maxReportedInFlight = GracefulConfig.DEFAULT_MAX_REPORTED_IN_FLIGHT;

    /**
     * How long a health probe waits for one readiness check; a check that has not answered by then
     * counts as failing, with the reason, so probes answer in time even when a check hangs.
     */
    private Duration readinessCheckTimeout = GracefulConfig.DEFAULT_READINESS_CHECK_TIMEOUT;

    /**
     * With N > 0 the readiness delay becomes a maximum: it ends once every health prober seen in
     * the 10s before the shutdown (by IP address and User-Agent) has been answered 503 N times on a
     * readiness path, plus readiness-settle-margin. Set it to the load balancer's fall count
     * (HAProxy "fall"); 0 keeps the fixed delay.
     */
    private int readinessProbes;

    /** With readiness-probes, how long to keep serving after the last prober saw its Nth failing answer. */
    private Duration readinessSettleMargin = GracefulConfig.DEFAULT_READINESS_SETTLE_MARGIN;

    /** Signal handling. */
    private final Signals signals = new Signals();

    /** The health endpoints served on the application port. */
    private final Health health = new Health();

    /** Servlet applications. */
    private final Servlet servlet = new Servlet();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getReadinessDelay() {
        return readinessDelay;
    }

    public void setReadinessDelay(Duration readinessDelay) {
        this.readinessDelay = readinessDelay;
    }

    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    public void setCloseTimeout(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    public Duration getLongLivedTimeout() {
        return longLivedTimeout;
    }

    public void setLongLivedTimeout(Duration longLivedTimeout) {
        this.longLivedTimeout = longLivedTimeout;
    }

    public Duration getDefaultTaskTimeout() {
        return defaultTaskTimeout;
    }

    public void setDefaultTaskTimeout(Duration defaultTaskTimeout) {
        this.defaultTaskTimeout = defaultTaskTimeout;
    }

    public Duration getWatchdogMargin() {
        return watchdogMargin;
    }

    public void setWatchdogMargin(Duration watchdogMargin) {
        this.watchdogMargin = watchdogMargin;
    }

    public Duration getBudget() {
        return budget;
    }

    public void setBudget(Duration budget) {
        this.budget = budget;
    }

    public int getMaxReportedInFlight() {
        return maxReportedInFlight;
    }

    public void setMaxReportedInFlight(int maxReportedInFlight) {
        this.maxReportedInFlight = maxReportedInFlight;
    }

    public Duration getReadinessCheckTimeout() {
        return readinessCheckTimeout;
    }

    public void setReadinessCheckTimeout(Duration readinessCheckTimeout) {
        this.readinessCheckTimeout = readinessCheckTimeout;
    }

    public int getReadinessProbes() {
        return readinessProbes;
    }

    public void setReadinessProbes(int readinessProbes) {
        this.readinessProbes = readinessProbes;
    }

    public Duration getReadinessSettleMargin() {
        return readinessSettleMargin;
    }

    public void setReadinessSettleMargin(Duration readinessSettleMargin) {
        this.readinessSettleMargin = readinessSettleMargin;
    }

    public Signals getSignals() {
        return signals;
    }

    public Health getHealth() {
        return health;
    }

    public Servlet getServlet() {
        return servlet;
    }

    /** {@code graceful.signals.*}. */
    public static class Signals {

        /**
         * Whether graceful owns SIGTERM and SIGINT: the drain then runs before the JVM's
         * shutdown hooks (so before Spring closes the context), and the process exits with
         * graceful's exit code (0 clean, 3 drain timed out, 4 shutdown task failed, 130/143
         * after a second signal). When false, the drain runs when the application context is
         * closed (by Spring Boot's shutdown hook or by the application), before any bean is
         * stopped or destroyed, and the JVM decides the exit code.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** {@code graceful.health.*}. */
    public static class Health {

        /**
         * Whether to answer the readiness and liveness paths on the application port. They are
         * answered before any application filter or controller, are not counted as in-flight
         * work, and keep answering while draining.
         */
        private boolean enabled = true;

        /** Paths answering readiness: 200 when ready, 503 from the moment a drain starts. */
        private List<String> readinessPaths = new ArrayList<>(List.of("/healthz", "/readyz"));

        /** Paths answering liveness: 200 while the process serves. */
        private List<String> livenessPaths = new ArrayList<>(List.of("/livez"));

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getReadinessPaths() {
            return readinessPaths;
        }

        public void setReadinessPaths(List<String> readinessPaths) {
            this.readinessPaths = readinessPaths;
        }

        public List<String> getLivenessPaths() {
            return livenessPaths;
        }

        public void setLivenessPaths(List<String> livenessPaths) {
            this.livenessPaths = livenessPaths;
        }
    }

    /** {@code graceful.servlet.*}. */
    public static class Servlet {

        /**
         * How graceful sees each request on the embedded Tomcat or Jetty: "server", through the
         * server's own hook (a Tomcat valve, a Jetty handler), at the least cost per request;
         * "filter", through a servlet filter first in the chain. An application deployed as a WAR
         * always uses the filter.
         */
        private Hook hook = Hook.SERVER;

        public Hook getHook() {
            return hook;
        }

        public void setHook(Hook hook) {
            this.hook = hook;
        }
    }

    /** Where graceful hooks into an embedded servlet server. */
    public enum Hook {
        /** The server's own hook: a Tomcat valve, a Jetty handler. */
        SERVER,
        /** A servlet filter first in the chain. */
        FILTER
    }
}
