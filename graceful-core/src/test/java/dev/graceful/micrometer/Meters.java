package dev.graceful.micrometer;

import io.micrometer.core.instrument.MeterRegistry;

/** Reads one tagged meter, so that an assertion names only the meter and the value it checks. */
public final class Meters {

    private Meters() {}

    public static double gauge(MeterRegistry registry, String name, String tag, String value) {
        return registry.get(name).tag(tag, value).gauge().value();
    }

    public static long timerCount(MeterRegistry registry, String name, String tag, String value) {
        return registry.get(name).tag(tag, value).timer().count();
    }
}
