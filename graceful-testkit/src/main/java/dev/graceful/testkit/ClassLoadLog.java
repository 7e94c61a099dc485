package dev.graceful.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The classes a child JVM loads, from its own log ({@code -Xlog:class+load}), to see what loads
 * after a point such as a signal: whatever first runs at a stop runs cold, its classes loaded and
 * its lambdas linked on the exit's path.
 */
public final class ClassLoadLog {

    private static final String TAG = "[class,load] ";

    private final Path file;
    private int mark;

    private ClassLoadLog(Path file) {
        this.file = file;
    }

    /**
     * A log the child will write in {@code dir}.
     *
     * @param dir a directory of the test's own
     * @return the log; pass {@link #jvmOption()} to the child
     */
    public static ClassLoadLog in(Path dir) {
        return new ClassLoadLog(dir.resolve("classes.log"));
    }

    /**
     * The option that makes the child write this log.
     *
     * @return {@code -Xlog:class+load=info:file=...}
     */
    public String jvmOption() {
        return "-Xlog:class+load=info:file=" + file;
    }

    /**
     * Marks the end of what the child has logged so far (the JVM writes each line whole and at once).
     *
     * @throws IOException when the log cannot be read
     */
    public void mark() throws IOException {
        mark = Files.readAllLines(file).size();
    }

    /**
     * The classes loaded since {@link #mark()} whose names start with {@code prefix}, in the order
     * they were loaded (lambdas and hidden classes by their generated names).
     *
     * @param prefix a package prefix, such as {@code "dev.graceful."}
     * @return their names
     * @throws IOException when the log cannot be read
     */
    public List<String> loadedSinceMark(String prefix) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> names = new ArrayList<>();
        for (String line : lines.subList(Math.min(mark, lines.size()), lines.size())) {
            // "[0.524s][info][class,load] NAME source: ...": the name follows the tag.
            int tag = line.indexOf(TAG);
            if (tag < 0) {
                continue;
            }
            String rest = line.substring(tag + TAG.length());
            int space = rest.indexOf(' ');
            String name = space < 0 ? rest : rest.substring(0, space);
            if (name.startsWith(prefix)) {
                names.add(name);
            }
        }
        return names;
    }
}
