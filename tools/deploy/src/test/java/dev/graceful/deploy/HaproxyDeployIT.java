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
import org.junit.jupiter.api.AfterAll;
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
 *   instance exits 0 within 2.5 s of its SIGTERM ({@value #PRIMARY}: three rolling restarts, the
 *   others one, to keep the build's time modest);</li>
 *   <li>the baseline, no readiness delay: requests fail (the yardstick can fail);</li>
 *   <li>{@value #PRIMARY} only: the fixed 10 s delay, no failed request but every old instance
 *   takes more than 10 s (the fixed delay's length does not depend on the server).</li>
 * </ul>
 *
 * Each phase prints its counts and its stop times; {@code target/haproxy-rolling.txt} collects them.
 */
class HaproxyDeployIT {

    /** The example that runs the full matrix (three rounds with probes); the others run one. */
    static final String PRIMARY = "jetty";

    private static final Pattern STOPPED =
            Pattern.compile("exited 0 \\(drained cleanly\\) (\\d+\\.\\d+)s after SIGTERM");
    private static final String PROBES = "--readiness-probes";

    @TempDir
    static Path work;

    private static final List<Stage> STAGES = new ArrayList<>();

    @AfterAll
    static void stopEverything() {
        STAGES.forEach(Stage::close);
    }

    @TestFactory
    Stream<DynamicTest> everyExampleRollsBehindHaproxyWithoutFailingARequestAndQuicklyWithProbes() {
        Kit.haproxy();
        List<String> names = Examples.names();
        assertThat(names).isNotEmpty();
        return names.stream()
                .map(name -> dynamicTest(
                        name + ": rolling restarts behind HAProxy, probes vs no delay vs a fixed 10s delay",
                        () -> rollingRestarts(name, name.equals(PRIMARY))));
    }

    private static void rollingRestarts(String name, boolean full) throws Exception {
        assertThat(Examples.built(name)).as("examples/%s is built", name).isTrue();
        Path dir = Files.createDirectories(work.resolve(name));
        int roundsWithProbes = full ? 3 : 1;
        List<Path> probed = new ArrayList<>();
        for (int i = 1; i <= roundsWithProbes; i++) {
            probed.add(Kit.release(dir, name, "p" + i, "--readiness-delay", "10s", PROBES, "2"));
        }
        Path none1 = Kit.release(dir, name, "n1", "--readiness-delay", "0s");
        Path none2 = Kit.release(dir, name, "n2", "--readiness-delay", "0s");
        Stage stage = Stage.behindHaproxy(work, name + "-haproxy", 2);
        STAGES.add(stage);
        stage.deployOk("deploy", probed.get(0).toString());

        // With probes: the old instances of each round run --readiness-probes 2 (the last round's
        // too: the deploy of n1 replaces p-instances).
        List<Double> probeStops = new ArrayList<>();
        List<Path> rounds = new ArrayList<>(probed.subList(1, probed.size()));
        rounds.add(none1);
        LoadSummary withProbes = stage.underLoad(
                rounds.size() + " rolling restart(s), old instances with --readiness-probes 2", "p1", "n1", load -> {
                    for (Path release : rounds) {
                        probeStops.addAll(deploy(stage, release));
                        Stage.awaitServed(load, version(name, release), 100);
                    }
                });
        report(name, "probes 2 (max 10s)", withProbes, probeStops);

        // The baseline: old instances (n1) with no readiness delay, taken out only by HAProxy's checks.
        List<Double> noDelayStops = new ArrayList<>();
        LoadSummary noDelay = stage.underLoad(
                "a rolling restart, old instances without a readiness delay",
                "n1",
                "n2",
                load -> noDelayStops.addAll(deploy(stage, none2)));
        report(name, "no readiness delay", noDelay, noDelayStops);

        assertThat(withProbes.failures()).as("failed requests with probes").isZero();
        assertThat(probeStops)
                .hasSize(2 * rounds.size())
                .allSatisfy(s -> assertThat(s)
                        .as("seconds from SIGTERM to exit with probes")
                        .isLessThan(2.5));
        assertThat(noDelay.failures())
                .as("failed requests without a readiness delay (the yardstick can fail)")
                .isPositive();
        if (!full) {
            return;
        }
        Path fixed1 = Kit.release(dir, name, "f1", "--readiness-delay", "10s");
        Path fixed2 = Kit.release(dir, name, "f2", "--readiness-delay", "10s");
        deploy(stage, fixed1);
        List<Double> fixedStops = new ArrayList<>();
        LoadSummary fixed = stage.underLoad(
                "a rolling restart, old instances with a fixed 10s readiness delay",
                "f1",
                "f2",
                load -> fixedStops.addAll(deploy(stage, fixed2)));
        report(name, "fixed 10s delay", fixed, fixedStops);
        assertThat(fixed.failures()).as("failed requests with the fixed delay").isZero();
        assertThat(fixedStops)
                .hasSize(2)
                .allSatisfy(s -> assertThat(s)
                        .as("seconds from SIGTERM to exit with the fixed delay")
                        .isGreaterThan(10.0));
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
