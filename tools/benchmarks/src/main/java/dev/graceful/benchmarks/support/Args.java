package dev.graceful.benchmarks.support;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The options a group's runner takes from its {@code bin/run-*} script: {@code --name value}
 * pairs and {@code --flag}s. A bad value is an error naming the option and the value.
 */
public final class Args {

    private final Map<String, String> values = new HashMap<>();

    private Args() {
    }

    /**
     * Parses {@code --name value} pairs; {@code --smoke} is the one flag without a value.
     *
     * @param args the command line
     * @return the options
     * @throws IllegalArgumentException on an option without a value
     */
    public static Args parse(String... args) {
        Args a = new Args();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--")) {
                throw new IllegalArgumentException("expected an option, was '" + name + "' in " + Arrays.toString(args));
            }
            if (name.equals("--smoke")) {
                a.values.put("smoke", "true");
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + name + " needs a value");
            }
            a.values.put(name.substring(2), args[++i]);
        }
        return a;
    }

    /**
     * Whether {@code --smoke} was given.
     *
     * @return {@code true} in smoke mode
     */
    public boolean smoke() {
        return values.containsKey("smoke");
    }

    /**
     * A required text option.
     *
     * @param name the option without dashes
     * @return its value
     */
    public String text(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing option --" + name);
        }
        return v;
    }

    /**
     * A text option with a default.
     *
     * @param name the option without dashes
     * @param def  the default
     * @return its value
     */
    public String text(String name, String def) {
        return values.getOrDefault(name, def);
    }

    /**
     * A path option.
     *
     * @param name the option without dashes
     * @return its value
     */
    public Path path(String name) {
        return Path.of(text(name));
    }

    /**
     * A positive whole-number option with a default.
     *
     * @param name the option without dashes
     * @param def  the default
     * @return its value
     */
    public int positive(String name, int def) {
        String v = values.get(name);
        if (v == null || v.isEmpty()) {
            return def;
        }
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("--" + name + " must be a positive whole number, was '" + v + "'");
    }

    /**
     * A comma-separated list option with a default, each element checked against the allowed ones.
     *
     * @param name    the option without dashes
     * @param def     the default
     * @param allowed the allowed elements
     * @return the elements, in the given order
     */
    public List<String> list(String name, List<String> def, List<String> allowed) {
        String v = values.get(name);
        if (v == null || v.isEmpty()) {
            return def;
        }
        List<String> out = List.of(v.split(","));
        for (String s : out) {
            if (!allowed.contains(s)) {
                throw new IllegalArgumentException("--" + name + " takes some of " + allowed + ", was '" + v + "'");
            }
        }
        return out;
    }
}
