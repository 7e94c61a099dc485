package dev.graceful;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes durations the way operators type them: {@code 1500ms}, {@code 2s},
 * {@code 0s}, {@code 1m}, {@code 1h}, or ISO-8601 ({@code PT2S}). Used for command-line options,
 * environment variables and every duration graceful logs.
 */
public final class Durations {

    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

    private Durations() {}

    /**
     * Parses a duration.
     *
     * @param text for example {@code "1500ms"}, {@code "2s"}, {@code "1m"}, {@code "1h"} or {@code "PT2S"}
     * @return the duration, never negative
     * @throws IllegalArgumentException naming the text when it is not a non-negative duration
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.trim();
        Matcher m = SIMPLE.matcher(trimmed.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        if (trimmed.regionMatches(true, 0, "PT", 0, 2)) {
            try {
                Duration d = Duration.parse(trimmed);
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                // fall through to the uniform message below
            }
        }
        throw new IllegalArgumentException("'" + text
                + "' is not a duration: use a whole number with ms, s, m or h (1500ms, 2s, 0s) or ISO-8601 (PT2S)");
    }

    /**
     * Validates a duration setting, for every builder in graceful (and adapters built on it), so
     * that they all name the field and the bad value the same way.
     *
     * @param field the setting's name, as the user wrote it
     * @param value the value
     * @param min   the smallest allowed value
     * @param max   the largest allowed value
     * @return {@code value}
     * @throws NullPointerException     naming the field when {@code value} is null
     * @throws IllegalArgumentException naming the field, the range and the value when out of range
     */
    public static Duration requireBetween(String field, Duration value, Duration min, Duration max) {
        if (value == null) {
            throw new NullPointerException(field + " must not be null");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be between " + format(min) + " and " + format(max)
                    + ", was " + format(value) + " (" + value + ")");
        }
        return value;
    }

    /**
     * Formats a duration compactly for logs and messages: {@code 0s}, {@code 250ms},
     * {@code 1.5s}, {@code 30s}, {@code 2m5s}.
     *
     * @param d the duration
     * @return the text
     */
    public static String format(Duration d) {
        Objects.requireNonNull(d, "duration");
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.isZero()) {
            return "0s";
        }
        long millis = d.toMillis();
        if (millis == 0) {
            return (d.toNanos() / 1000) + "µs";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            long tenths = (millis % 1000) / 100;
            return (millis / 1000) + (tenths == 0 ? "" : "." + tenths) + "s";
        }
        long seconds = d.getSeconds();
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        StringBuilder sb = new StringBuilder();
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (s > 0 || sb.length() == 0) {
            sb.append(s).append('s');
        }
        return sb.toString();
    }
}
