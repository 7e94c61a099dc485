package dev.graceful.examples;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * The options of the example-app contract: {@code --port P --version V --drain-timeout D
 * --readiness-delay D --readiness-probes N --threads T --long-lived-timeout D}. {@code examples/bin/run}
 * validates them and always passes all seven; an example started by hand ({@code java -jar}) gets the same
 * checks and defaults here.
 *
 * @param port           the application port, 1-65535 (default 8080)
 * @param version        what {@code GET /} and {@code /work} answer with (default {@code dev})
 * @param drainTimeout   the drain timeout (default 30s)
 * @param readinessDelay the readiness delay (default 0s)
 * @param readinessProbes failing answers every health prober must see before the readiness delay
 *                        may end early, 0 to 100 (default 0: a fixed delay)
 * @param virtualThreads whether the server runs requests on virtual threads ({@code --threads
 *                       virtual}, Java 21+; default {@code platform})
 * @param longLivedTimeout how long WebSockets and event streams asked to leave may take to close before
 *                         they are cut (graceful's {@code longLivedTimeout}; default 5s, at most 10m)
 */
public record ExampleOptions(
        int port,
        String version,
        Duration drainTimeout,
        Duration readinessDelay,
        int readinessProbes,
        boolean virtualThreads,
        Duration longLivedTimeout) {

    /** The exit code for bad options, as {@code examples/bin/run} uses. */
    public static final int USAGE_EXIT_CODE = 2;

    /**
     * Validates the components.
     *
     * @param port           the port
     * @param version        the version
     * @param drainTimeout   the drain timeout
     * @param readinessDelay the readiness delay
     * @param readinessProbes the readiness probes
     * @param virtualThreads whether requests run on virtual threads
     * @param longLivedTimeout the long-lived timeout
     */
    public ExampleOptions {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(readinessDelay, "readinessDelay");
        Objects.requireNonNull(longLivedTimeout, "longLivedTimeout");
    }

    /**
     * The usage line.
     *
     * @param name the example's name
     * @return the usage text
     */
    public static String usage(String name) {
        return "usage: " + name
                + " [--port P] [--version V] [--drain-timeout D] [--readiness-delay D] [--readiness-probes N]"
                + " [--threads T] [--long-lived-timeout D]\n"
                + "  P: 1-65535 (default 8080); V: no spaces (default dev);\n"
                + "  D: a duration such as 1500ms, 2s, 0s (defaults: drain timeout 30s, readiness delay 0s,"
                + " long-lived timeout 5s);\n"
                + "  N: 0-100 (default 0: the readiness delay is fixed);\n"
                + "  T: platform or virtual (Java 21+), the threads requests run on (default platform)";
    }

    /**
     * Parses the options.
     *
     * @param args the command line
     * @return the options
     * @throws IllegalArgumentException naming the option and the bad value
     */
    public static ExampleOptions parse(String... args) {
        int port = 8080;
        String version = "dev";
        Duration drainTimeout = GracefulConfig.DEFAULT_DRAIN_TIMEOUT;
        Duration readinessDelay = GracefulConfig.DEFAULT_READINESS_DELAY;
        int readinessProbes = 0;
        boolean virtualThreads = false;
        Duration longLivedTimeout = GracefulConfig.DEFAULT_LONG_LIVED_TIMEOUT;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--port" -> port = port(value);
                case "--version" -> {
                    if (value.isEmpty() || value.chars().anyMatch(Character::isWhitespace)) {
                        throw new IllegalArgumentException("--version must be a non-empty word, was '" + value + "'");
                    }
                    version = value;
                }
                case "--drain-timeout" -> drainTimeout = duration(option, value);
                case "--readiness-delay" -> readinessDelay = duration(option, value);
                case "--readiness-probes" -> readinessProbes = probes(value);
                case "--threads" -> virtualThreads = virtualThreads(value);
                case "--long-lived-timeout" -> longLivedTimeout = duration(option, value);
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        // The ranges are graceful's own; checked here so that a bad value is a usage error.
        try {
            GracefulConfig.builder()
                    .drainTimeout(drainTimeout)
                    .readinessDelay(readinessDelay)
                    .longLivedTimeout(longLivedTimeout)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage()
                            .replace("drainTimeout", "--drain-timeout")
                            .replace("readinessDelay", "--readiness-delay")
                            .replace("longLivedTimeout", "--long-lived-timeout"),
                    e);
        }
        return new ExampleOptions(
                port, version, drainTimeout, readinessDelay, readinessProbes, virtualThreads, longLivedTimeout);
    }

    /**
     * Parses the options, or prints the problem and the usage on stderr and exits with
     * {@value #USAGE_EXIT_CODE}.
     *
     * @param name the example's name, for the usage line
     * @param args the command line
     * @return the options
     */
    public static ExampleOptions parseOrExit(String name, String... args) {
        try {
            return parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.err.println(usage(name));
            System.exit(USAGE_EXIT_CODE);
            throw e;
        }
    }

    /**
     * The options as Spring Boot command-line properties ({@code --port=8080}, durations in
     * milliseconds), which the Spring Boot examples' {@code application.properties} maps; the
     * long-lived timeout goes to the starter's property {@code graceful.long-lived-timeout} directly.
     *
     * @return the seven arguments
     */
    public String[] springArguments() {
        return new String[] {
            "--port=" + port,
            "--version=" + version,
            "--drain-timeout=" + drainTimeout.toMillis() + "ms",
            "--readiness-delay=" + readinessDelay.toMillis() + "ms",
            "--readiness-probes=" + readinessProbes,
            "--spring.threads.virtual.enabled=" + virtualThreads,
            "--graceful.long-lived-timeout=" + longLivedTimeout.toMillis() + "ms"
        };
    }

    private static int port(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("--port must be a number from 1 to 65535, was '" + value + "'");
    }

    private static boolean virtualThreads(String value) {
        if (value.equals("platform")) {
            return false;
        }
        if (!value.equals("virtual")) {
            throw new IllegalArgumentException("--threads must be platform or virtual, was '" + value + "'");
        }
        int java = Runtime.version().feature();
        if (java < 21) {
            throw new IllegalArgumentException("--threads virtual needs Java 21 or later, this is Java " + java);
        }
        return true;
    }

    private static int probes(String value) {
        if (value.matches("\\d{1,3}") && Integer.parseInt(value) <= 100) {
            return Integer.parseInt(value);
        }
        throw new IllegalArgumentException("--readiness-probes must be a number from 0 to 100, was '" + value + "'");
    }

    private static Duration duration(String option, String value) {
        if (!value.matches("\\d{1,9}(ms|s|m|h)")) {
            throw new IllegalArgumentException(
                    option + " must be a duration such as 1500ms, 2s or 0s, was '" + value + "'");
        }
        return Durations.parse(value);
    }

    /**
     * The configuration these options ask for.
     *
     * @return a configuration builder with the drain timeout, readiness delay, readiness probes and
     *         long-lived timeout set
     */
    public GracefulConfig.Builder config() {
        return GracefulConfig.builder()
                .drainTimeout(drainTimeout)
                .readinessDelay(readinessDelay)
                .readinessProbes(readinessProbes)
                .longLivedTimeout(longLivedTimeout);
    }
}
