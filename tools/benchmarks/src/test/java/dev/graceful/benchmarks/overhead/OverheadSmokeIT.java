package dev.graceful.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.graceful.benchmarks.SmokeRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Group 2's smoke: {@code bin/run-overhead --smoke --rounds 2 -- --forks 2 --slices 2} runs the netty example
 * with graceful and without it under {@code wrk}, in two fresh pairs of servers, and reports both
 * (throughput, and each server's own CPU time per request); an experiment ({@code --graceful-mode}) runs in
 * graceful's place on Tomcat and is named as such; with {@code --one-process} each server serves both sides
 * from one JVM, proven apart before it is measured, and with {@code --together} (Tomcat and Jetty in one
 * process, Netty in two) both sides are loaded at once and measured by their own threads, graceful's or (the
 * control) a second plain one. Needs wrk: {@code .ci/run} installs it, and
 * without it this test fails saying so rather than passing without having run anything.
 */
class OverheadSmokeIT {

    /** A median, with its range when there was more than one sample. */
    private static final String SPREAD = "[0-9.]+(?: \\[[0-9.]+–[0-9.]+\\])?";
    /** The same, for a figure that may be negative (graceful's cost per request, within noise). */
    private static final String SIGNED = "-?[0-9.]+(?: \\[-?[0-9.]+–-?[0-9.]+\\])?";
    /**
     * The netty row: two throughputs, the ratio, the cost per request, two p99s, the p99 ratio, and no error on
     * either side.
     */
    private static final Pattern NETTY_ROW = Pattern.compile(
            "^\\| netty \\| " + SPREAD + " \\| " + SPREAD + " \\| \\*\\*" + SPREAD + "\\*\\* \\| \\*\\*" + SIGNED
                    + "\\*\\* \\| " + SPREAD + " \\| "
                    + SPREAD + " \\| " + SPREAD + " \\| 0 / 0 \\|$",
            Pattern.MULTILINE);
    /** The netty row of the CPU table: each side's CPU time per request, their ratio and difference. */
    private static final Pattern NETTY_CPU_ROW = Pattern.compile(
            "^\\| netty \\| " + SPREAD + " \\| " + SPREAD + " \\| \\*\\*" + SPREAD + "\\*\\* \\| \\*\\*" + SIGNED
                    + "\\*\\* \\|$",
            Pattern.MULTILINE);

    /**
     * {@code run-overhead} with {@code args}; without wrk, the load generator of group 2, this fails saying so
     * rather than passing without having run anything.
     */
    private static SmokeRun overhead(String... args) throws Exception {
        if (!SmokeRun.onPath("wrk")) {
            fail("wrk, the load generator of tools/benchmarks/bin/run-overhead, is not on the PATH: install it "
                    + "(apt-get install wrk; .ci/run does) so that this smoke can run group 2");
        }
        return SmokeRun.run("overhead", args);
    }

    @Test
    void runOverheadLoadsTheNettyExampleWithAndWithoutGracefulWithoutErrors() throws Exception {
        SmokeRun run = overhead("--rounds", "2", "--", "--forks", "2", "--slices", "2");

        String report = run.file("report.md");
        assertThat(report)
                .as("the report")
                .containsPattern(NETTY_ROW)
                .containsPattern(NETTY_CPU_ROW)
                .contains("Target, netty, decided over forks: throughput ratio ≥ 0.97: ")
                .containsPattern("netty, median throughput ratio of each fork: [0-9.]+ [0-9.]+; µs per request: "
                        + "-?[0-9.]+ -?[0-9.]+ \\(standard deviation [0-9.]+ µs\\)\n")
                .containsPattern(
                        "netty, one slice's throughput against the others of its round .*: ±[0-9.]+ % graceful,"
                                + " ±[0-9.]+ % plain\n");
        String samples = run.file("samples.csv");
        for (String roundAndFork : new String[] {"1,1,netty,", "2,2,netty,"}) {
            assertThat(samples.lines().filter(l -> l.startsWith(roundAndFork)).count())
                    .as("one sample per variant in round and fork %s of samples.csv:%n%s", roundAndFork, samples)
                    .isEqualTo(2);
        }
    }

    @Test
    void decidingAnEarlierRunsSamplesAgainPrintsTheTableThatRunWrote() throws Exception {
        SmokeRun run = overhead("--rounds", "2", "--", "--forks", "2", "--slices", "1");
        String table = run.file("table.md");
        Path samples = run.out().resolve("samples.csv");
        String measured = Files.readString(samples);

        SmokeRun decided = overhead("--", "--decide", samples.toString(), "--seconds", "1", "--slices", "1");

        assertThat(decided.output()).as("the decided report").contains(table);
        assertThat(Files.readString(samples)).as("the samples, after deciding").isEqualTo(measured);

        SmokeRun twice = overhead("--", "--decide", samples + "," + samples, "--seconds", "1", "--slices", "1");
        assertThat(twice.output())
                .as("the same run decided twice over, as two runs")
                .contains("4 round(s) in 4 fresh pairs of servers (forks)")
                .contains("95% interval of the mean over 4 forks");
    }

    @Test
    void anExperimentStandsInForGracefulOnTomcatAndTheReportSaysSo() throws Exception {
        SmokeRun run = overhead("--rounds", "1", "--", "--apps", "tomcat", "--graceful-mode", "count-valve");

        assertThat(run.file("report.md"))
                .as("the report")
                .contains("The \"graceful\" side of this run is not graceful: it is ServerApp's `count-valve` mode")
                .containsPattern(Pattern.compile("^\\| tomcat \\| .* \\| 0 / 0 \\|$", Pattern.MULTILINE));
    }

    @Test
    void togetherLoadsBothSidesOfTomcatAtOnceOnSwappedConnectorsFromForkToForkAndTakesEachSidesCostFromItsOwnThreads()
            throws Exception {
        SmokeRun run = overhead(
                "--rounds",
                "2",
                "--",
                "--apps",
                "tomcat",
                "--one-process",
                "--together",
                "--forks",
                "2",
                "--slices",
                "2");

        assertThat(run.file("report.md"))
                .as("the report")
                .contains("with both variants loaded at once (`wrk -t1 -c16 --latency` on `GET /` each)")
                .containsPattern(Pattern.compile(
                        "^\\| tomcat \\| " + SPREAD + " \\| " + SPREAD + " \\| \\*\\*" + SIGNED + "\\*\\* \\| " + SPREAD
                                + " \\| " + SPREAD + " \\| " + SPREAD + " \\| " + SPREAD + " \\| 0 / 0 \\|$",
                        Pattern.MULTILINE))
                .contains("Target, tomcat, decided over forks: µs per request ≤ 0.15: ")
                .containsPattern("tomcat, µs per request added, each fork: -?[0-9.]+ -?[0-9.]+ \\(standard deviation");
        assertThat(run.file("samples.csv").lines().filter(l -> l.endsWith(",yes,no")))
                .as("the first fork's samples, marked as measured together, graceful on the example's connector")
                .hasSize(2);
        assertThat(run.file("samples.csv").lines().filter(l -> l.endsWith(",yes,yes")))
                .as("the second fork's samples, graceful on the second connector")
                .hasSize(2);
        assertThat(run.file("report.md"))
                .as("the report")
                .containsPattern(
                        "tomcat, µs per request added, mean over forks: -?[0-9.]+ with graceful on the"
                                + " example's connector \\(1 fork\\(s\\)\\), -?[0-9.]+ on the second connector \\(1 fork\\(s\\)\\)");
    }

    /**
     * Jetty's sides by the threads of each side's own connector pool, Spring Boot's by each Tomcat
     * connector's, on either port.
     */
    @ParameterizedTest
    @ValueSource(strings = {"jetty", "spring-boot"})
    void togetherMeasuresEachSideInOneProcessByItsOwnConnectorsThreadsOnEitherPort(String app) throws Exception {
        SmokeRun run = overhead(
                "--rounds", "2", "--", "--apps", app, "--one-process", "--together", "--forks", "2", "--slices", "2");

        assertThat(run.file("report.md"))
                .as("the report")
                .containsPattern(Pattern.compile("^\\| " + app + " \\| .* \\| 0 / 0 \\|$", Pattern.MULTILINE))
                .contains("Target, " + app + ", decided over forks: µs per request ≤ 0.15: ")
                .contains("on the second connector (1 fork(s))");
        assertThat(run.file("samples.csv").lines().filter(l -> l.endsWith(",yes,yes")))
                .as("the second fork's samples, graceful on the second connector")
                .hasSize(2);
    }

    @Test
    void togetherMeasuresNettyInTwoProcessesEachSideByItsOwnJvmsEventLoops() throws Exception {
        SmokeRun run =
                overhead("--rounds", "2", "--", "--apps", "netty", "--together", "--forks", "2", "--slices", "2");

        assertThat(run.file("report.md"))
                .as("the report")
                .contains("with both variants loaded at once (`wrk -t1 -c16 --latency` on `GET /` each)")
                .doesNotContain("one JVM per fork")
                .doesNotContain("connector (1 fork(s))")
                .containsPattern(Pattern.compile("^\\| netty \\| .* \\| 0 / 0 \\|$", Pattern.MULTILINE))
                .contains("Target, netty, decided over forks: µs per request ≤ 0.15: ");
        assertThat(run.file("samples.csv").lines().filter(l -> l.endsWith(",yes,no")))
                .as("both forks' samples, marked as measured together, never swapped")
                .hasSize(4);
    }

    @Test
    void theControlServesTomcatWithoutGracefulOnBothPortsAndTheReportSaysSo() throws Exception {
        SmokeRun run = overhead(
                "--rounds", "1", "--", "--apps", "tomcat", "--one-process", "--together", "--graceful-mode", "plain");

        assertThat(run.file("report.md"))
                .as("the report")
                .contains("serving the example **without graceful on both ports** (a control")
                .containsPattern(Pattern.compile("^\\| tomcat \\| .* \\| 0 / 0 \\|$", Pattern.MULTILINE));
    }

    @Test
    void anExperimentStandsOnGracefulsSideOfTomcatInOneProcessOnEitherConnector() throws Exception {
        SmokeRun run = overhead(
                "--rounds",
                "2",
                "--",
                "--apps",
                "tomcat",
                "--one-process",
                "--together",
                "--graceful-mode",
                "slot-valve",
                "--forks",
                "2");

        assertThat(run.file("report.md"))
                .as("the report")
                .contains("the \"graceful\" side is ServerApp's `slot-valve` (an experiment")
                .containsPattern(Pattern.compile("^\\| tomcat \\| .* \\| 0 / 0 \\|$", Pattern.MULTILINE))
                .contains("on the second connector (1 fork(s))");
    }

    @Test
    void oneProcessMeasuresEachServerWithAndWithoutGracefulInOneJvm() throws Exception {
        SmokeRun run = overhead("--rounds", "1", "--", "--apps", "jetty,tomcat,netty,spring-boot", "--one-process");

        String report = run.file("report.md");
        assertThat(report).as("the report").contains("Both sides of this run are one JVM per fork (one-process mode");
        for (String app : new String[] {"jetty", "tomcat", "netty", "spring-boot"}) {
            assertThat(report)
                    .as("the report")
                    .containsPattern(Pattern.compile("^\\| " + app + " \\| .* \\| 0 / 0 \\|$", Pattern.MULTILINE));
        }
    }
}
