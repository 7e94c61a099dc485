package dev.graceful.spring.boot.internal;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.spring.boot.GracefulProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Turns {@link GracefulProperties} into core objects. Validation is core's (one place for the
 * rules); this class only translates core's field names into property names, and reports a bad
 * value as an {@link InvalidConfigurationPropertyValueException}, which Spring Boot's failure
 * analyzer prints with the property, the value and where the value came from.
 */
public final class GracefulConfigs {

    /** Core field name to property name, in the order the properties are documented. */
    private static final Map<String, String> PROPERTY_OF_FIELD = Map.ofEntries(
            Map.entry("readinessDelay", "graceful.readiness-delay"),
            Map.entry("drainTimeout", "graceful.drain-timeout"),
            Map.entry("closeTimeout", "graceful.close-timeout"),
            Map.entry("longLivedTimeout", "graceful.long-lived-timeout"),
            Map.entry("defaultTaskTimeout", "graceful.default-task-timeout"),
            Map.entry("watchdogMargin", "graceful.watchdog-margin"),
            Map.entry("budget", "graceful.budget"),
            Map.entry("maxReportedInFlight", "graceful.max-reported-in-flight"),
            Map.entry("readinessCheckTimeout", "graceful.readiness-check-timeout"),
            Map.entry("readinessProbes", "graceful.readiness-probes"),
            Map.entry("readinessSettleMargin", "graceful.readiness-settle-margin"));

    private GracefulConfigs() {}

    /**
     * Builds the core configuration.
     *
     * @param p the bound properties
     * @return the configuration
     * @throws InvalidConfigurationPropertyValueException naming the property and the value
     */
    public static GracefulConfig toConfig(GracefulProperties p) {
        GracefulConfig.Builder b = GracefulConfig.builder();
        set("readinessDelay", p.getReadinessDelay(), b::readinessDelay);
        set("drainTimeout", p.getDrainTimeout(), b::drainTimeout);
        set("closeTimeout", p.getCloseTimeout(), b::closeTimeout);
        if (p.getLongLivedTimeout() != null) {
            set("longLivedTimeout", p.getLongLivedTimeout(), b::longLivedTimeout);
        }
        set("defaultTaskTimeout", p.getDefaultTaskTimeout(), b::defaultTaskTimeout);
        set("watchdogMargin", p.getWatchdogMargin(), b::watchdogMargin);
        set("maxReportedInFlight", p.getMaxReportedInFlight(), b::maxReportedInFlight);
        set("readinessCheckTimeout", p.getReadinessCheckTimeout(), b::readinessCheckTimeout);
        set("readinessProbes", p.getReadinessProbes(), b::readinessProbes);
        set("readinessSettleMargin", p.getReadinessSettleMargin(), b::readinessSettleMargin);
        if (p.getBudget() != null) {
            set("budget", p.getBudget(), b::budget);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException(
                    "graceful.budget", display(p.getBudget()), withPropertyNames(e.getMessage()));
        }
    }

    /**
     * Builds the health endpoint on the configured paths.
     *
     * @param graceful whose state it reports
     * @param health   the bound {@code graceful.health.*} properties
     * @return the endpoint
     * @throws InvalidConfigurationPropertyValueException naming the property and the value
     */
    public static HealthEndpoint toHealthEndpoint(GracefulShutdown graceful, GracefulProperties.Health health) {
        List<String> readiness = health.getReadinessPaths();
        List<String> liveness = health.getLivenessPaths();
        try {
            HealthEndpoint.of(graceful, readiness, List.of());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConfigurationPropertyValueException(
                    "graceful.health.readiness-paths", readiness, reason(e));
        }
        try {
            return HealthEndpoint.of(graceful, readiness, liveness);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConfigurationPropertyValueException("graceful.health.liveness-paths", liveness, reason(e));
        }
    }

    /**
     * Rewrites core's field names in a message into property names, so that a budget message
     * names the properties to change.
     *
     * @param message a core message
     * @return the message with property names
     */
    public static String withPropertyNames(String message) {
        String result = message;
        for (Map.Entry<String, String> e : PROPERTY_OF_FIELD.entrySet()) {
            result = result.replaceAll("\\b" + e.getKey() + "\\b", e.getValue());
        }
        return result;
    }

    private static <T> void set(String field, T value, Consumer<T> setter) {
        try {
            setter.accept(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidConfigurationPropertyValueException(
                    PROPERTY_OF_FIELD.get(field), display(value), withPropertyNames(reason(e)));
        }
    }

    private static String reason(RuntimeException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static Object display(Object value) {
        return value instanceof Duration d ? Durations.format(d) : value;
    }
}
