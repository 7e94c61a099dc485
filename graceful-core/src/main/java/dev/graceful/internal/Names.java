package dev.graceful.internal;

import java.util.Objects;

/** The one rule for the names of readiness checks, shutdown tasks and reload callbacks. */
final class Names {

    private Names() {}

    /**
     * Validates a name.
     *
     * @param what what is named, for the message ({@code "shutdown task"})
     * @param name the name as given
     * @return the name, trimmed
     */
    static String check(String what, String name) {
        Objects.requireNonNull(name, what + " name");
        String n = name.trim();
        if (n.isEmpty() || n.length() > 100) {
            throw new IllegalArgumentException(what + " name must be 1-100 characters, was '" + name + "'");
        }
        return n;
    }
}
