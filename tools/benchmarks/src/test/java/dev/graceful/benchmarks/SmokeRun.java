package dev.graceful.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one group's documented command ({@code tools/benchmarks/bin/run-<group>}) in its {@code --smoke}
 * mode, the way a reader of {@code docs/BENCHMARKS.md} would, against the jar this build just
 * packaged. Every group has one {@code *SmokeIT} built on this, so that {@code mvn verify} catches
 * a group that no longer compiles, starts or reports; smoke numbers are never asserted.
 */
public final class SmokeRun {

    /** Generous: a smoke takes seconds, but this machine is shared with other builds. */
    private static final long TIMEOUT_MINUTES = 5;

    private final Path out;
    private final String output;

    private SmokeRun(Path out, String output) {
        this.out = out;
        this.output = output;
    }

    /**
     * Runs {@code bin/run-<group> --smoke --no-build} on the JVM running this test, and fails the
     * test (with the command's output) unless it exits with 0 in time.
     *
     * @param group the group's command suffix, e.g. {@code micro}
     * @param extra further arguments for the command
     * @return the finished run
     * @throws IOException          when the command cannot be started
     * @throws InterruptedException when interrupted while waiting
     */
    public static SmokeRun run(String group, String... extra) throws IOException, InterruptedException {
        Path bin = Path.of(required("benchmarks.bin"));
        Path jar = Path.of(required("benchmarks.jar"));
        assertThat(jar).as("the benchmark jar (built in the package phase)").isRegularFile();
        Path out = Path.of(required("benchmarks.smoke.out")).resolve(group);
        Files.createDirectories(out);
        Path log = out.resolve("smoke.log");

        List<String> command = new ArrayList<>(List.of(
                "bash",
                bin.resolve("run-" + group).toString(),
                "--smoke",
                "--no-build",
                "--java",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--out",
                out.toString()));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("%s did not finish within %d minutes; output:%n%s", command, TIMEOUT_MINUTES, read(log));
        }
        String output = read(log);
        if (p.exitValue() != 0) {
            fail("%s exited with %d; output:%n%s", command, p.exitValue(), output);
        }
        return new SmokeRun(out, output);
    }

    /**
     * The directory the command wrote its results to.
     *
     * @return the output directory
     */
    public Path out() {
        return out;
    }

    /**
     * Everything the command printed.
     *
     * @return standard output and error
     */
    public String output() {
        return output;
    }

    /**
     * The text of a result file.
     *
     * @param name a file in {@link #out()}
     * @return its content
     * @throws IOException when it cannot be read
     */
    public String file(String name) throws IOException {
        Path f = out.resolve(name);
        assertThat(f).as("%s, written by the smoke run", name).isRegularFile();
        return Files.readString(f, StandardCharsets.UTF_8);
    }

    /**
     * Whether a command is on the {@code PATH}, for a smoke whose group needs an external tool.
     *
     * @param command the command's name
     * @return {@code true} when an executable of that name is on the PATH
     */
    public static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null) {
            throw new IllegalStateException("system property " + property
                    + " not set: run through Maven (mvn -pl benchmarks -am verify), which passes it");
        }
        return v;
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no output)";
    }
}
