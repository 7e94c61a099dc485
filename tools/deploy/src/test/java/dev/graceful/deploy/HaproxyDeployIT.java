package dev.graceful.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.graceful.loadgen.LoadSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example app behind a real, health-checked HAProxy ({@code inter 300ms fall 2}, no retries,
 * no redispatch), rolled over two instances by {@code deploy.sh --lb haproxy} under a mixed GET/POST
 * load. In one test per example:
 *
 * <ul>
 *   <li>with {@code --readiness-probes 2} and a 10 s maximum delay: no failed request, every old
 *   instance exits 0 within 2.5 s of its SIGTERM ({@linkplain Examples#full full} examples: three rolling
 *   restarts, the others one, to keep the build's time modest);</li>
 *   <li>full examples only: the baseline, no readiness delay: requests fail (the yardstick can fail);</li>
 *   <li>full examples only: the fixed 10 s delay, no failed request but every old instance takes more
 *   than 10 s (the fixed delay's length does not depend on the server).</li>
 * </ul>
 *
 * Each phase prints its counts and its stop times; {@code target/haproxy-rolling.txt} collects them.
 */
class HaproxyDeployIT {

    private static final Pattern STOPPED =
            Pattern.compile("exited 0 \\(drained cleanly\\) (\\d+\\.\\d+)s after SIGTERM");
    private static final String PROBES = "--readiness-probes";

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicTest> everyExampleRollsBehindHaproxyWithoutFailingARequestAndQuicklyWithProbes() {
        Kit.haproxy();
        List<String> names = Examples.names();
        assertThat(names).isNotEmpty();
        return names.stream()
                .map(name -> dynamicTest(
                        name + ": rolling restarts behind HAProxy, probes vs no delay vs a fixed 10s delay",
                        () -> rollingRestarts(name, Examples.full(name))));
    }

    private static void rollingRestarts(String name, boolean full) throws Exception {
        assertThat(Examples.built(name)).as("examples/%s is built", name).isTrue();
        Path dir = Files.createDirectories(work.resolve(name));
        List<Path> probed = new ArrayList<>();
        for (int i = 1; i <= (full ? 3 : 1); i++) {
            probed.add(Kit.release(dir, name, "p" + i, "--readiness-delay", "10s", PROBES, "2"));
        }
        Path none1 = Kit.release(dir, name, "n1", "--readiness-delay", "0s");
        try (Stage stage = Stage.behindHaproxy(work, name + "-haproxy", 2)) {
            stage.deployOk("deploy", probed.get(0).toString());
            // The old instances of each round run --readiness-probes 2; the last round's too: the
            // deploy of n1 replaces p-instances.
            List<Path> rounds = new ArrayList<>(probed.subList(1, probed.size()));
            rounds.add(none1);
            Measured withProbes = measure(stage, name, "probes 2 (max 10s)", "p1", rounds);
            assertThat(withProbes.summary().failures())
                    .as("failed requests with probes")
                    .isZero();
            assertThat(withProbes.stops())
                    .hasSize(2 * rounds.size())
                    .allSatisfy(s -> assertThat(s)
                            .as("seconds from SIGTERM to exit with probes")
                            .isLessThan(2.5));
            if (full) {
                // The baseline: old instances (n1) with no readiness delay, taken out by HAProxy's checks only.
                Path none2 = Kit.release(dir, name, "n2", "--readiness-delay", "0s");
                Measured noDelay = measure(stage, name, "no readiness delay", "n1", List.of(none2));
                assertThat(noDelay.summary().failures())
                        .as("failed requests without a readiness delay (the yardstick can fail)")
                        .isPositive();
                Path fixed1 = Kit.release(dir, name, "f1", "--readiness-delay", "10s");
                Path fixed2 = Kit.release(dir, name, "f2", "--readiness-delay", "10s");
                deploy(stage, fixed1);
                Measured fixed = measure(stage, name, "fixed 10s delay", "f1", List.of(fixed2));
                assertThat(fixed.summary().failures())
                        .as("failed requests with the fixed delay")
                        .isZero();
                assertThat(fixed.stops())
                        .hasSize(2)
                        .allSatisfy(s -> assertThat(s)
                                .as("seconds from SIGTERM to exit with the fixed delay")
                                .isGreaterThan(10.0));
            }
        }
    }

    /** What the load saw over some rolling restarts, and each old instance's SIGTERM-to-exit time. */
    private record Measured(LoadSummary summary, List<Double> stops) {}

    /** Rolls to each release in turn under load (from {@code serving}), then prints and records the result. */
    private static Measured measure(Stage stage, String name, String mode, String serving, List<Path> releases)
            throws Exception {
        List<Double> stops = new ArrayList<>();
        LoadSummary summary = stage.underLoad(
                releases.size() + " rolling restart(s), old instances: " + mode,
                serving,
                version(name, releases.get(releases.size() - 1)),
                load -> {
                    for (Path release : releases) {
                        stops.addAll(deploy(stage, release));
                        Stage.awaitServed(load, version(name, release), 100);
                    }
                });
        report(name, mode, summary, stops);
        return new Measured(summary, stops);
    }

    /** Deploys a release (every old instance must exit 0) and returns each old instance's stop time. */
    private static List<Double> deploy(Stage stage, Path release) {
        Kit.Result r = stage.deploySh("deploy", release.toString());
        assertThat(r.exitCode())
                .as("deploy.sh deploy %s (exit 0: every old instance exited 0); output:%n%s", release, r.output())
                .isZero();
        List<Double> stops = new ArrayList<>();
        Matcher m = STOPPED.matcher(r.output());
        while (m.find()) {
            stops.add(Double.parseDouble(m.group(1)));
        }
        return stops;
    }

    private static String version(String name, Path release) {
        return release.getFileName().toString().substring(name.length() + 1);
    }

    private static void report(String name, String mode, LoadSummary summary, List<Double> stops) throws Exception {
        String line = String.format(
                Locale.ROOT,
                "%s | %s | %d requests, %d failed | SIGTERM to exit per old instance: %s s%n",
                name,
                mode,
                summary.requests(),
                summary.failures(),
                stops);
        System.out.print("[haproxy] " + line);
        Files.writeString(
                Path.of("target/haproxy-rolling.txt"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
