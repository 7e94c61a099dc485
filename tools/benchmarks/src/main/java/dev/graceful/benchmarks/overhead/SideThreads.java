package dev.graceful.benchmarks.overhead;

import dev.graceful.benchmarks.apps.OneProcess;
import dev.graceful.benchmarks.support.Child;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU time of one side of a one-process pair: the threads that serve only that side's
 * connector, found by name. Tomcat names each connector's threads after it ({@code http-nio-PORT-exec-3},
 * {@code http-nio-auto-1-Poller} for a connector on port 0); Jetty's pair gives each side's connector a
 * pool of its own, named for the side ({@link OneProcess#jettyThreads}). So the two sides of
 * {@code --together} are measured apart while they share one core at the same moment. In two processes
 * (Netty), each side is its own JVM, and its threads are the event loops Netty names after their group.
 * Read from {@code /proc/PID/task/TID}: the kernel's thread name (cut to 15 characters) and
 * {@code schedstat}'s time on a CPU, in nanoseconds.
 */
final class SideThreads {

    /**
     * The examples measured this way. Spring Boot's pair is two Tomcat connectors, named as Tomcat's. Loaded
     * at once from a cold start it took twice the CPU time per request or more, on both sides alike
     * (docs/BENCHMARKS.md, 2026-12-06), as its two JVMs did: warm each side up alone first
     * ({@code --solo-warmup-seconds}).
     */
    static final List<String> APPS = List.of("tomcat", "jetty", "spring-boot");

    /**
     * The examples measured this way in two processes, one side each. Netty's one-process pair shares its
     * codec's compiled code between the sides, which measured something two processes do not
     * (docs/BENCHMARKS.md, 2026-12-05): for Netty only two processes say what a user pays. Spring Boot's
     * two JVMs, loaded at once on one CPU from a cold start, took 140-182 µs of CPU per request, their
     * compilers starved among a dozen runnable request threads (a reading; docs/BENCHMARKS.md,
     * 2026-12-06): with it, warm each side up alone first ({@code --solo-warmup-seconds}).
     */
    static final List<String> TWO_PROCESS_APPS = List.of("netty", "spring-boot");

    /**
     * The name Netty's default thread factory gives the event loops of a {@code MultiThreadIoEventLoopGroup}
     * ({@code multiThreadIoEventLoopGroup-POOL-N}), as the examples and ServerApp make theirs.
     */
    private static final String NETTY_EVENT_LOOPS = "multiThreadIoEventLoopGroup-";

    /** The threads of Spring Boot's embedded Tomcat connector ({@code http-nio-PORT-exec-N}, {@code -Poller}, ...). */
    private static final String SPRING_BOOT_TOMCAT = "http-nio-";

    /** The kernel keeps a thread's name to this many characters. */
    private static final int COMM = 15;

    private final Path tasks;
    private final String prefix;

    private SideThreads(long pid, String prefix) {
        this.tasks = Path.of("/proc", Long.toString(pid), "task");
        this.prefix = prefix;
    }

    /**
     * Each side's threads: in one process ({@code oneProcess}), its connector's ({@link #of}); in two, its
     * own JVM's event loops ({@link #TWO_PROCESS_APPS}).
     *
     * @param swapped whether graceful's side is on the second connector (one process)
     */
    static Map<String, SideThreads> of(String app, Map<String, Child> servers, boolean oneProcess, boolean swapped) {
        Map<String, SideThreads> threads = new LinkedHashMap<>();
        servers.forEach((side, server) -> {
            long pid = server.jvm().pid();
            threads.put(
                    side,
                    oneProcess
                            ? of(app, pid, side, side.equals("graceful") == swapped ? 0 : server.port())
                            : ofProcess(app, pid));
        });
        return threads;
    }

    /** The threads that serve {@code app} in its own JVM, one side of a two-process pair. */
    static SideThreads ofProcess(String app, long pid) {
        if (!TWO_PROCESS_APPS.contains(app)) {
            throw new IllegalArgumentException("--together in two processes: " + TWO_PROCESS_APPS
                    + " only (Tomcat and Jetty are measured together in one process); was " + app);
        }
        // Spring Boot's JVM has one connector, embedded Tomcat's: its acceptor, poller and request threads.
        return new SideThreads(pid, cut(app.equals("netty") ? NETTY_EVENT_LOOPS : SPRING_BOOT_TOMCAT));
    }

    /**
     * The threads of {@code side}'s connector ({@code "graceful"} or {@code "plain"}) of {@code app}'s pair:
     * for Tomcat and Spring Boot, the connector on {@code port}, or on port 0 ({@code port} 0: the second
     * connector).
     */
    static SideThreads of(String app, long pid, String side, int port) {
        String name = switch (app) {
            case "tomcat", "spring-boot" -> "http-nio-" + (port == 0 ? "auto" : Integer.toString(port)) + "-";
            case "jetty" -> OneProcess.jettyThreads(side) + "-";
            default ->
                throw new IllegalArgumentException("--together: " + APPS + " only (their connectors serve"
                        + " on threads of their own; Netty's one-process pair shares its event loops); was " + app);
        };
        return new SideThreads(pid, cut(name));
    }

    private static String cut(String name) {
        return name.substring(0, Math.min(COMM, name.length()));
    }

    /**
     * The time on a CPU, so far, of every live thread of this side, in nanoseconds. A thread that ends
     * between two readings takes its time with it; Tomcat keeps a connector's threads while they serve.
     */
    long cpuNanos() {
        long sum = 0;
        int threads = 0;
        Map<String, Integer> others = new TreeMap<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
            for (Path task : all) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (name.startsWith(prefix)) {
                        sum += Long.parseLong(
                                Files.readString(task.resolve("schedstat")).split(" ")[0]);
                        threads++;
                    } else {
                        others.merge(name, 1, Integer::sum);
                    }
                } catch (NoSuchFileException ended) {
                    // a thread that ended between the listing and the read: it serves nothing now
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (threads == 0) {
            throw new IllegalStateException(
                    "no thread of " + tasks.getParent() + " is named " + prefix + "*; its threads: " + others);
        }
        return sum;
    }

    @Override
    public String toString() {
        return prefix + "*";
    }

    /** For a test: the prefix a side's threads are found by. */
    String prefix() {
        return prefix;
    }
}
