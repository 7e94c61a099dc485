package dev.graceful.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Where the kit is, and how the tests run its scripts. */
final class Kit {

    /** The kit itself: this module's directory, where Maven runs its tests. */
    static final Path KIT = Path.of("").toAbsolutePath();
    /** The examples directory of this checkout. */
    static final Path EXAMPLES = Path.of(System.getProperty("graceful.examples.dir", "../../examples"))
            .toAbsolutePath()
            .normalize();

    static final Path DEPLOY_SH = KIT.resolve("deploy.sh");
    static final Path RELEASE_EXAMPLE = KIT.resolve("release-example");
    static final Path NGINX_DIR = KIT.resolve("nginx");
    static final Path HAPROXY_CFG = KIT.resolve("haproxy/haproxy.cfg");

    /** Modest JVMs: the stage starts a few dozen of them on a small machine. */
    static final String JAVA_OPTS = "-Xms32m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xshare:auto";

    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Kit() {}

    /**
     * The nginx binary, or a failure saying how to install it: these tests never skip.
     */
    static Path nginx() {
        return tool("nginx");
    }

    /** The HAProxy binary, or a failure saying how to install it. */
    static Path haproxy() {
        return tool("haproxy");
    }

    private static Path tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : List.of("/usr/sbin/", "/usr/local/sbin/", "/usr/local/bin/")) {
            if (Files.isExecutable(Path.of(dir + name))) {
                return Path.of(dir + name);
            }
        }
        return fail(name + " is not installed, and the deploy tests run through real " + name + ": install it "
                + "(Debian/Ubuntu: apt-get install -y " + name + "; .ci/run does this) and run the build again");
    }

    /** A port nothing listens on now, never handed out twice in this JVM. */
    static synchronized int freePort() {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** What a command printed and how it exited. */
    record Result(int exitCode, String output) {}

    /**
     * Runs a command, echoing its output (indented, with a label) as it comes.
     *
     * @param label   shown before each line
     * @param timeout a bound: past it the command is killed and the test fails
     */
    static Result run(String label, Duration timeout, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("http_proxy");
        pb.environment().remove("HTTP_PROXY");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            List<String> lines = new ArrayList<>();
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader r =
                                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = r.readLine()) != null) {
                                synchronized (lines) {
                                    lines.add(line);
                                }
                                System.out.println("    [" + label + "] " + line);
                            }
                        } catch (IOException e) {
                            // the process ended
                        }
                    },
                    "output-" + label);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail(label + ": " + String.join(" ", command) + " did not finish within " + timeout);
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            synchronized (lines) {
                return new Result(p.exitValue(), String.join("\n", lines));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command that must succeed. */
    static String ok(String label, Duration timeout, List<String> command) {
        Result r = run(label, timeout, command);
        assertThat(r.exitCode())
                .as("exit code of %s; output:%n%s", String.join(" ", command), r.output())
                .isZero();
        return r.output();
    }

    /**
     * Makes a release source of example {@code name} at {@code version}.
     */
    static Path release(Path dir, String name, String version, String... appOptions) {
        Path dest = dir.resolve(name + "-" + version);
        List<String> command = new ArrayList<>(
                List.of(RELEASE_EXAMPLE.toString(), name, version, dest.toString(), "--java-opts", JAVA_OPTS));
        command.addAll(List.of(appOptions));
        ok("release", Duration.ofSeconds(60), command);
        return dest;
    }
}
