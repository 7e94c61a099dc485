package dev.graceful.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java block of every Markdown file in the repository compiles: each is, verbatim, a region of a
 * {@code ReadmeSnippets.java} in the test sources of the module whose API it shows, which that module's
 * build compiles on Java 17. A region starts with {@code // readme-snippet: FILE, FILE...} (the Markdown
 * files that show it, from the repository root) and ends with {@code // end readme-snippet}; its lines
 * are the block's, indented like the marker.
 */
class ReadmeSnippetsTest {

    private static final Path ROOT =
            Path.of(System.getProperty("repo.root", "../..")).toAbsolutePath().normalize();
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?m)^```java\\n(.*?)^```$", Pattern.DOTALL);
    private static final Pattern REGION_START = Pattern.compile("^(\\s*)// readme-snippet: (.+)$");
    private static final String REGION_END = "// end readme-snippet";

    record Region(Path source, int line, List<String> markdownFiles, String text) {}

    record Block(int line, String text) {}

    @Test
    void everyJavaBlockInTheMarkdownIsARegionOfACompiledSnippetFile() {
        List<Region> regions = regions();
        List<String> problems = new ArrayList<>();
        for (Path markdown : files(".md")) {
            String name = ROOT.relativize(markdown).toString();
            for (Block block : javaBlocks(markdown)) {
                boolean compiled = regions.stream()
                        .anyMatch(r ->
                                r.markdownFiles().contains(name) && r.text().equals(block.text()));
                if (!compiled) {
                    problems.add(name + ":" + block.line()
                            + ": no ReadmeSnippets.java region naming this file holds this Java block");
                }
            }
        }
        assertThat(problems)
                .as("Java blocks of the Markdown that the build does not compile (copy each, verbatim, into"
                        + " a region of the ReadmeSnippets.java of the module it shows)")
                .isEmpty();
    }

    @Test
    void everyRegionStandsVerbatimInEachMarkdownFileItNames() {
        List<Region> regions = regions();
        assertThat(regions)
                .as("regions in ReadmeSnippets.java files under %s", ROOT)
                .isNotEmpty();
        List<String> problems = new ArrayList<>();
        for (Region region : regions) {
            for (String name : region.markdownFiles()) {
                Path markdown = ROOT.resolve(name);
                boolean shown = Files.isRegularFile(markdown)
                        && javaBlocks(markdown).stream().anyMatch(b -> b.text().equals(region.text()));
                if (!shown) {
                    problems.add(ROOT.relativize(region.source()) + ":" + region.line()
                            + ": this region is not a Java block of " + name);
                }
            }
        }
        assertThat(problems)
                .as("regions that differ from the Markdown they name")
                .isEmpty();
    }

    private static List<Region> regions() {
        List<Region> regions = new ArrayList<>();
        for (Path source : files("ReadmeSnippets.java")) {
            List<String> lines = read(source).lines().collect(Collectors.toList());
            for (int i = 0; i < lines.size(); i++) {
                Matcher start = REGION_START.matcher(lines.get(i));
                if (!start.matches()) {
                    continue;
                }
                String indent = start.group(1);
                List<String> names = Arrays.stream(start.group(2).split(","))
                        .map(String::trim)
                        .collect(Collectors.toList());
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                for (; j < lines.size() && !lines.get(j).trim().equals(REGION_END); j++) {
                    String line = lines.get(j);
                    assertThat(line.isBlank() || line.startsWith(indent))
                            .as("%s:%d is indented less than its region's marker", source, j + 1)
                            .isTrue();
                    text.append(line.isBlank() ? "" : line.substring(indent.length()))
                            .append('\n');
                }
                assertThat(j)
                        .as("%s:%d: a region without its end marker", source, i + 1)
                        .isLessThan(lines.size());
                regions.add(new Region(source, i + 1, names, text.toString()));
                i = j;
            }
        }
        return regions;
    }

    private static List<Block> javaBlocks(Path markdown) {
        String text = read(markdown);
        Matcher m = JAVA_BLOCK.matcher(text);
        List<Block> blocks = new ArrayList<>();
        while (m.find()) {
            int line = 1
                    + (int) text.substring(0, m.start())
                            .chars()
                            .filter(c -> c == '\n')
                            .count();
            blocks.add(new Block(line, m.group(1)));
        }
        return blocks;
    }

    /** The repository's files whose name ends so, outside build output, dependencies and hidden folders. */
    private static List<Path> files(String nameEnd) {
        try (Stream<Path> walk = Files.walk(ROOT)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(nameEnd))
                    .filter(p -> !skipped(ROOT.relativize(p)))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
