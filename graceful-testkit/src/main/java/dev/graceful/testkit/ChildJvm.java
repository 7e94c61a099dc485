package dev.graceful.testkit;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A JVM under test in a process of its own, for what only a real process shows: real signals,
 * exit codes, shutdown hooks, the JVM's own exit. Start one with {@link #mainClass}, {@link #jar}, or
 * {@link #command} for a launch script that {@code exec}s the JVM (so the script's PID is the JVM's);
 * read what it prints through {@link #output()}; {@link #close()} kills it if it still runs.
 *
 * <pre>{@code
 * try (ChildJvm child = ChildJvm.mainClass("com.example.Main").jvmOptions("-Xmx64m").args("--port", "0").start()) {
 *     child.output().awaitLineStartingWith("READY", Duration.ofSeconds(30));
 *     child.signal("TERM");
 *     assertThat(child.awaitExit(Duration.ofSeconds(10))).isZero();
 * }
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {

    private static final Duration OUTPUT_END = Duration.ofSeconds(5);

    private final Process process;
    private final ChildOutput output;
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile long exitedAtNanos;

    private ChildJvm(Process process, ChildOutput output) {
        this.process = process;
        this.output = output;
    }

    /**
     * A JVM running {@code mainClass}, by default on this JVM's class path.
     *
     * @param mainClass the class whose {@code main} to run
     * @return a builder
     */
    public static Builder mainClass(String mainClass) {
        return new Builder(List.of(), List.of(mainClass), true);
    }

    /**
     * A JVM running {@code java -jar jar}.
     *
     * @param jar the runnable jar
     * @return a builder
     */
    public static Builder jar(Path jar) {
        return new Builder(List.of(), List.of("-jar", jar.toString()), false);
    }

    /**
     * Any command, typically a launch script that {@code exec}s a JVM; JVM options then go where the
     * script reads them (such as a {@code JAVA_OPTS} {@linkplain Builder#env variable}).
     *
     * @param command the program and its first arguments
     * @return a builder
     */
    public static Builder command(String... command) {
        return new Builder(List.of(command), null, false);
    }

    /** What to start; {@link #start()} starts it. */
    public static final class Builder {
        private final List<String> command;
        private final List<String> launch;
        private final boolean usesClassPath;
        private String classPath = System.getProperty("java.class.path");
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private boolean mergeStderr;
        private Path logFile;

        private Builder(List<String> command, List<String> launch, boolean usesClassPath) {
            this.command = command;
            this.launch = launch;
            this.usesClassPath = usesClassPath;
        }

        /**
         * The child's class path (only for {@link #mainClass}); the default is this JVM's own, so
         * a test's classes and dependencies are the child's too.
         *
         * @param classPath the class path
         * @return this builder
         */
        public Builder classPath(String classPath) {
            if (!usesClassPath) {
                throw new IllegalStateException("only a main class is started with a class path");
            }
            this.classPath = classPath;
            return this;
        }

        /** See {@link #jvmOptions(List)}. */
        public Builder jvmOptions(String... options) {
            return jvmOptions(List.of(options));
        }

        /**
         * Adds options for the JVM, before the main class or jar (not for a {@link #command}).
         *
         * @param options such as {@code -Xrs} or {@code -Dkey=value}
         * @return this builder
         */
        public Builder jvmOptions(List<String> options) {
            if (launch == null) {
                throw new IllegalStateException("a command passes JVM options its own way, such as JAVA_OPTS");
            }
            jvmOptions.addAll(options);
            return this;
        }

        /** Adds program arguments. */
        public Builder args(String... args) {
            return args(List.of(args));
        }

        /** Adds program arguments. */
        public Builder args(List<String> args) {
            this.args.addAll(args);
            return this;
        }

        /** Sets an environment variable on top of this JVM's environment. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Sets environment variables on top of this JVM's environment. */
        public Builder env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        /**
         * Sends standard error down standard output's pipe, so the lines keep the order the child
         * wrote them in (two pipes are read by two threads, and their lines interleave by arrival).
         *
         * @return this builder
         */
        public Builder mergeStderr() {
            mergeStderr = true;
            return this;
        }

        /**
         * Also copies the output to a file as it arrives, each line with its offset from the start, to
         * read after a failure; it ends with the exit code.
         *
         * @param file the file, replaced; its folder is created
         * @return this builder
         */
        public Builder logTo(Path file) {
            logFile = file;
            return this;
        }

        /** The command line {@link #start()} runs. */
        public List<String> commandLine() {
            List<String> line = new ArrayList<>();
            if (launch == null) {
                line.addAll(command);
            } else {
                line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                line.addAll(jvmOptions);
                if (usesClassPath) {
                    line.add("-cp");
                    line.add(classPath);
                }
                line.addAll(launch);
            }
            line.addAll(args);
            return line;
        }

        /**
         * Starts the process and begins reading its output.
         *
         * @return the running child
         * @throws IOException when it cannot start, or the log file cannot be created
         */
        public ChildJvm start() throws IOException {
            List<String> line = commandLine();
            PrintWriter log = null;
            if (logFile != null) {
                Path parent = logFile.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
                log.println("$ " + String.join(" ", line));
            }
            ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(mergeStderr);
            builder.environment().putAll(env);
            long startNanos = System.nanoTime();
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                if (log != null) {
                    log.close();
                }
                throw e;
            }
            ChildJvm child = new ChildJvm(process, new ChildOutput(startNanos, log));
            child.output.follow(process.getInputStream(), ChildOutput.Source.STDOUT, process.pid());
            if (!mergeStderr) {
                child.output.follow(process.getErrorStream(), ChildOutput.Source.STDERR, process.pid());
            }
            Thread waiter = new Thread(child::waitForExit, "child-" + process.pid() + "-exit");
            waiter.setDaemon(true);
            waiter.start();
            return child;
        }
    }

    // A thread that does nothing but wait takes the exit time as precisely as this JVM learns it.
    private void waitForExit() {
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        exitedAtNanos = System.nanoTime();
        output.logLine(exitedAtNanos, "(process exited with " + process.exitValue() + ")");
        exited.countDown();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The process id (for a launch script that {@code exec}s the JVM, the JVM's). */
    public long pid() {
        return process.pid();
    }

    /** The process's handle, to read its {@link ProcessHandle#info()} or its descendants. */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** {@code true} until the process exited. */
    public boolean isAlive() {
        return exited.getCount() > 0;
    }

    /** Everything it printed so far, and more as it arrives. */
    public ChildOutput output() {
        return output;
    }

    /**
     * Fails when the child already exited; for Awaitility's {@code failFast}, so that waiting for a
     * child to be ready ends at once when it died, with what it printed.
     *
     * @throws AssertionError when it exited
     */
    public void assertAlive() {
        if (!isAlive()) {
            throw new AssertionError("the child exited with " + process.exitValue() + ":\n" + output.text());
        }
    }

    /**
     * Sends a signal, such as {@code TERM}, {@code INT} or {@code HUP}.
     *
     * @param name the signal's name without {@code SIG}
     * @return {@link System#nanoTime()} just before the signal was sent
     * @throws IOException when {@code kill} cannot be run
     * @throws InterruptedException when interrupted
     * @throws IllegalStateException when the signal could not be sent
     */
    public long signal(String name) throws IOException, InterruptedException {
        long now = System.nanoTime();
        if ("TERM".equals(name)) {
            // kill(pid, SIGTERM) without spawning kill(1), so timings measured from here are the
            // child's. Not Process.destroy(): on Unix it also closes our ends of the child's pipes,
            // losing the very lines that tell how the shutdown went.
            if (!process.toHandle().destroy()) {
                throw new IllegalStateException("SIGTERM to " + process.pid() + " failed");
            }
            return now;
        }
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
        return now;
    }

    /**
     * Waits for the process to exit, then for the rest of its output.
     *
     * @param atMost how long at most
     * @return the exit code
     * @throws AssertionError when it still runs after {@code atMost} (it is killed on {@link #close()})
     * @throws InterruptedException when interrupted
     */
    public int awaitExit(Duration atMost) throws InterruptedException {
        if (!exited.await(atMost.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError(
                    "the child " + process.pid() + " did not exit within " + atMost + ":\n" + output.text());
        }
        output.awaitEnd(OUTPUT_END);
        return process.exitValue();
    }

    /**
     * When the exit was observed, on this JVM's {@link System#nanoTime()}.
     *
     * @return the time
     * @throws IllegalStateException when it has not exited yet
     */
    public long exitedAtNanos() {
        if (isAlive()) {
            throw new IllegalStateException("the child " + process.pid() + " still runs");
        }
        return exitedAtNanos;
    }

    /** Kills the process if it still runs, waits for it to go, and closes the log file. */
    @Override
    public void close() {
        if (isAlive()) {
            process.destroyForcibly();
        }
        try {
            if (exited.await(10, TimeUnit.SECONDS)) {
                output.awaitEnd(OUTPUT_END);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            output.closeLog();
        }
    }
}
