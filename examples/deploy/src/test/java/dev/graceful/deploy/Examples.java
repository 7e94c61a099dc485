package dev.graceful.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The example apps in this checkout: every directory {@code examples/NAME} whose pom builds the
 * artifact {@code graceful-example-NAME} (the examples' naming convention). An example that
 * lands later is found here without any change to the tests.
 */
final class Examples {

    private static final Pattern ARTIFACT = Pattern.compile(
            "<artifactId>graceful-example-([a-z0-9-]+)</artifactId>");

    private Examples() {
    }

    static List<String> names() {
        try (Stream<Path> dirs = Files.list(Kit.EXAMPLES)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
                    .filter(Examples::isExampleApp)
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isExampleApp(Path dir) {
        try {
            String pom = Files.readString(dir.resolve("pom.xml"));
            // The module's own artifactId is the first one after the parent block.
            int afterParent = pom.indexOf("</parent>");
            Matcher m = ARTIFACT.matcher(pom);
            return m.find(Math.max(0, afterParent)) && m.group(1).equals(dir.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the example's runnable jar was built. */
    static boolean built(String name) {
        try (Stream<Path> files = Files.list(Kit.EXAMPLES.resolve(name).resolve("target"))) {
            return files.map(f -> f.getFileName().toString())
                    .anyMatch(f -> f.endsWith(".jar") && !f.startsWith("original-") && !f.endsWith("-sources.jar")
                            && !f.endsWith("-javadoc.jar") && !f.endsWith("-tests.jar"));
        } catch (IOException e) {
            return false;
        }
    }
}
