package dev.graceful;

import java.time.Duration;
import java.util.Objects;

/**
 * A description of one unit of work still running, as reported when a drain times out.
 *
 * @param kind        the kind of work ({@code "http"}, {@code "job"}, ...)
 * @param description what it is, for example {@code "POST /orders"}
 * @param age         how long it has been running
 */
public record InFlightWork(String kind, String description, Duration age) {

    /**
     * Validates the components.
     *
     * @param kind        the kind of work
     * @param description what it is
     * @param age         how long it has been running
     */
    public InFlightWork {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(age, "age");
    }

    @Override
    public String toString() {
        return kind + " '" + description + "' running for " + Durations.format(age);
    }
}
