package dev.graceful.examples;

/** The rules for the {@code ms} parameter of {@code /work}: how long the request takes. */
public final class WorkDelay {

    /** The longest a {@code /work} request may ask for: 10 minutes. */
    public static final long MAX_MILLIS = 600_000;

    private WorkDelay() {}

    /**
     * Parses {@code ms}.
     *
     * @param ms the parameter's value, or {@code null} when absent
     * @return the delay in milliseconds, 0 to {@link #MAX_MILLIS}
     * @throws IllegalArgumentException with a message fit for a 400 answer
     */
    public static long parse(String ms) {
        if (ms == null || ms.isEmpty()) {
            throw new IllegalArgumentException(
                    "missing query parameter ms (milliseconds to work, 0 to " + MAX_MILLIS + ")");
        }
        long value;
        try {
            value = Long.parseLong(ms);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ms must be a whole number of milliseconds, was '" + ms + "'");
        }
        if (value < 0 || value > MAX_MILLIS) {
            throw new IllegalArgumentException(
                    "ms must be between 0 and " + MAX_MILLIS + " (10 minutes), was " + value);
        }
        return value;
    }
}
