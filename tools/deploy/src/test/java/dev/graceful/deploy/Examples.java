package dev.graceful.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The example apps in this checkout, found by the examples' own convention (the one
 * {@code examples/bin/run} uses): a directory {@code examples/NAME} whose {@code pom.xml} declares
 * {@code <example.name>NAME</example.name>}, built to
 * {@code examples/NAME/target/graceful-example-NAME.jar}. An example that lands later is found
 * here without any change to the tests. These are the HTTP examples: one whose pom also declares
 * {@code <example.protocol>grpc</example.protocol>} speaks gRPC only and has a deploy test of its own.
 */
final class Examples {

    private Examples() {}

    /**
     * The example apps, all of them or those the comma-separated system property
     * {@code deploy.examples} names (to rerun the deploy tests for one example:
     * {@code -Ddeploy.examples=spring-webflux}).
     */
    static List<String> names() {
        String only = System.getProperty("deploy.examples", "").strip();
        List<String> chosen = only.isEmpty() ? List.of() : List.of(only.split("\\s*,\\s*"));
        try (Stream<Path> dirs = Files.list(Kit.EXAMPLES)) {
            return dirs.filter(Examples::isExampleApp)
                    .filter(d ->
                            chosen.isEmpty() || chosen.contains(d.getFileName().toString()))
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example that runs every deploy scenario in every build. */
    static final String PRIMARY = "jetty";

    /**
     * Whether the example runs every scenario: the {@link #PRIMARY} one always, every example with
     * {@code -Ddeploy.all-scenarios=true}. The others run the scenarios whose outcome depends on the app
     * (deploys under load); the deploy script's own behaviour (aborts, rollback, the baseline's
     * failures) is the same whichever app it deploys, and running it on every example would add minutes
     * to every build.
     */
    static boolean full(String name) {
        return name.equals(PRIMARY) || Boolean.getBoolean("deploy.all-scenarios");
    }

    private static boolean isExampleApp(Path dir) {
        Path pom = dir.resolve("pom.xml");
        try {
            if (!Files.isRegularFile(pom)) {
                return false;
            }
            String text = Files.readString(pom);
            return text.contains("<example.name>" + dir.getFileName() + "</example.name>")
                    && !text.contains("<example.protocol>grpc</example.protocol>");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the example's runnable jar was built. */
    static boolean built(String name) {
        return Files.isRegularFile(Kit.EXAMPLES.resolve(name).resolve("target/graceful-example-" + name + ".jar"));
    }
}
