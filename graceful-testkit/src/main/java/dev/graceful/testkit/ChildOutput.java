package dev.graceful.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Everything a {@link ChildJvm} printed, line by line, each line stamped with {@link System#nanoTime()}
 * the moment it arrived, so "when did X happen in the child" can be read off this JVM's clock. Safe to
 * read from any thread while the child still prints, so its methods can serve as Awaitility conditions.
 */
public final class ChildOutput {

    /** Which of the child's pipes a line came from. */
    public enum Source {
        STDOUT,
        STDERR
    }

    /**
     * One line the child printed.
     *
     * @param nanos  when it arrived, on this JVM's {@link System#nanoTime()}
     * @param source the pipe it came from ({@link Source#STDOUT} for both when standard error is merged)
     * @param text   the line, without its line terminator
     */
    public record Line(long nanos, Source source, String text) {}

    private final List<Line> lines = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();
    private final long startNanos;
    private final PrintWriter log;
    private int openStreams;

    ChildOutput(long startNanos, PrintWriter log) {
        this.startNanos = startNanos;
        this.log = log;
    }

    void follow(InputStream in, Source source, long pid) {
        synchronized (lines) {
            openStreams++;
        }
        Thread reader = new Thread(
                () -> read(in, source), "child-" + pid + "-" + source.name().toLowerCase(Locale.ROOT));
        reader.setDaemon(true);
        readers.add(reader);
        reader.start();
    }

    private void read(InputStream in, Source source) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String text;
            while ((text = r.readLine()) != null) {
                long now = System.nanoTime();
                synchronized (lines) {
                    lines.add(new Line(now, source, text));
                    lines.notifyAll();
                }
                logLine(now, text);
            }
        } catch (IOException e) {
            logLine(System.nanoTime(), "(output read failed: " + e + ")");
        } finally {
            synchronized (lines) {
                openStreams--;
                lines.notifyAll();
            }
        }
    }

    void logLine(long nanos, String text) {
        if (log != null) {
            log.printf(Locale.ROOT, "[%+10.3f ms] %s%n", (nanos - startNanos) / 1e6, text);
        }
    }

    /** Waits for the readers to reach the end of the child's pipes, which follows its exit. */
    void awaitEnd(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        for (Thread reader : readers) {
            reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    void closeLog() {
        if (log != null) {
            log.close();
        }
    }

    /** {@code true} once every pipe of the child reached its end: no line will be added any more. */
    public boolean isComplete() {
        synchronized (lines) {
            return openStreams == 0;
        }
    }

    /** A snapshot of the lines so far, in the order they arrived. */
    public List<Line> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The output so far, each line ended by {@code \n}, in the order the lines arrived. */
    public String text() {
        return text(line -> true);
    }

    /** What one pipe printed so far, each line ended by {@code \n}. */
    public String text(Source source) {
        return text(line -> line.source() == source);
    }

    private String text(Predicate<Line> which) {
        StringBuilder sb = new StringBuilder();
        for (Line line : lines()) {
            if (which.test(line)) {
                sb.append(line.text()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * The first line so far that matches.
     *
     * @param which the match
     * @return the line, or empty when none matched yet
     */
    public Optional<Line> firstLine(Predicate<String> which) {
        return lines().stream().filter(line -> which.test(line.text())).findFirst();
    }

    /**
     * Waits for the first line that starts with {@code prefix}.
     *
     * @param prefix what the line starts with
     * @param atMost how long at most
     * @return the whole line
     * @throws AssertionError when no such line came in time, or the child's output ended first
     * @throws InterruptedException when interrupted
     */
    public String awaitLineStartingWith(String prefix, Duration atMost) throws InterruptedException {
        return awaitLine(text -> text.startsWith(prefix), atMost).text();
    }

    /**
     * Waits for the first line that matches. Woken by each new line, so it returns as soon as the
     * line arrived, without a poll interval; the line's {@link Line#nanos()} says exactly when.
     *
     * @param which  the match
     * @param atMost how long at most
     * @return the line
     * @throws AssertionError when no such line came in time, or the child's output ended first
     * @throws InterruptedException when interrupted
     */
    public Line awaitLine(Predicate<String> which, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (which.test(lines.get(seen).text())) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || openStreams == 0) {
                    throw new AssertionError("expected line not seen "
                            + (openStreams == 0 ? "before the child's output ended" : "within " + atMost)
                            + "; last lines:\n" + tail(30));
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** The last {@code n} lines so far, each ended by {@code \n}, for failure messages. */
    public String tail(int n) {
        List<Line> all = lines();
        StringBuilder sb = new StringBuilder();
        for (Line line : all.subList(Math.max(0, all.size() - n), all.size())) {
            sb.append(line.text()).append('\n');
        }
        return sb.toString();
    }
}
