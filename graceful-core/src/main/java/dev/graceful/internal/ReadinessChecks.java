package dev.graceful.internal;

import dev.graceful.GracefulShutdown;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The named readiness checks: readiness passes only while every one of them does. */
final class ReadinessChecks {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final Lifecycle lifecycle;
    private final List<NamedCheck> checks = new CopyOnWriteArrayList<>();

    ReadinessChecks(Lifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    void add(String name, BooleanSupplier check) {
        String n = Names.check("readiness check", name);
        Objects.requireNonNull(check, "check");
        synchronized (lifecycle.lock()) {
            for (NamedCheck c : checks) {
                if (c.name().equals(n)) {
                    throw new IllegalArgumentException("a readiness check named '" + n + "' is already registered");
                }
            }
            checks.add(new NamedCheck(n, check));
        }
    }

    /** Stops at the first failing check: probes call this often. */
    boolean allPass() {
        for (NamedCheck check : checks) {
            if (!check.passes()) {
                return false;
            }
        }
        return true;
    }

    Set<String> failing() {
        Set<String> failing = null;
        for (NamedCheck check : checks) {
            if (!check.passes()) {
                if (failing == null) {
                    failing = new LinkedHashSet<>();
                }
                failing.add(check.name());
            }
        }
        return failing == null ? Set.of() : Collections.unmodifiableSet(failing);
    }

    private record NamedCheck(String name, BooleanSupplier check) {

        boolean passes() {
            try {
                return check.getAsBoolean();
            } catch (RuntimeException | LinkageError e) {
                log.debug("Readiness check '{}' threw; counting it as failing", name, e);
                return false;
            }
        }
    }
}
