package dev.graceful.benchmarks.overhead;

import dev.graceful.benchmarks.apps.ServerApp;
import dev.graceful.benchmarks.support.BenchRun;
import dev.graceful.benchmarks.support.Child;
import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import dev.graceful.testkit.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * Group 2, adapter overhead under load, as {@code bin/run-overhead} runs it (its header: options, output);
 * method and report: {@code docs/BENCHMARKS.md}. Servers and wrk are pinned to separate CPUs
 * ({@code taskset}) so that they do not take turns on a core at random.
 */
public final class OverheadBench {

    static final List<String> VARIANTS = List.of("graceful", "plain");
    static final List<String> COLUMNS = List.of(
            "round",
            "fork",
            "app",
            "variant",
            "rps",
            "slice_cv",
            "cpu_us",
            "p50_ms",
            "p99_ms",
            "requests",
            "errors",
            "load1",
            "together",
            "swapped");

    private OverheadBench() {}

    public static void main(String[] args) throws Exception {
        OptionParser parser =
                BenchRun.parser("seconds", "slices", "warmup-seconds", "solo-warmup-seconds", "connections", "forks");
        parser.accepts("server-cpus").withRequiredArg().defaultsTo("0");
        parser.accepts("client-cpus").withRequiredArg().defaultsTo("1");
        parser.accepts("wrk").withRequiredArg().defaultsTo("wrk");
        // What stands on the "graceful" side: an experiment (one of ServerApp's valves on Tomcat)
        // measures one part of graceful's cost apart from the rest.
        parser.accepts("graceful-mode").withRequiredArg().defaultsTo("graceful");
        // Both sides in one JVM, on two ports (OneProcess; for Spring Boot, the example's own jar with
        // OneProcessAutoConfiguration): the hooks' own cost, without the fork-to-fork luck that two
        // processes carry.
        parser.accepts("one-process");
        // Both sides loaded at the same moment, each with half the connections, and each side's cost taken
        // from its own connector's threads (SideThreads): the machine's slowdowns, which move a 3 s slice
        // by ±5-20 %, then fall on both sides alike. Tomcat and Jetty in one process, Netty in two.
        parser.accepts("together");
        // An earlier run's samples.csv: its report again, decided by today's statistics, with nothing run.
        // Several (comma-separated) runs of the same configuration are decided together, over all their forks.
        parser.accepts("decide").withRequiredArg().withValuesSeparatedBy(',');
        OptionSet options = parser.parse(args);
        if (options.has("decide")) {
            Slices slices = new Slices(
                    BenchRun.numbers(options, "seconds", List.of(3)).get(0),
                    BenchRun.numbers(options, "slices", List.of(20)).get(0),
                    BenchRun.numbers(options, "connections", List.of(32)).get(0));
            List<Path> runs = options.valuesOf("decide").stream()
                    .map(f -> Path.of((String) f))
                    .toList();
            System.out.print(OverheadReport.render(Samples.readAll(runs), slices));
            return;
        }
        BenchRun run = BenchRun.start(options, COLUMNS, 4, BenchRun.LOADED_APPS, BenchRun.APPS, List.of("netty"));
        // A 3 s slice's throughput moves by ±10-20 % from the next on this project's 2-vCPU VM (more
        // when it is busy), on either side and in the servers' own CPU time per request alike; 20
        // per round bring a quiet machine's round ratio to about ±0.02 (docs/BENCHMARKS.md, group 2).
        Slices slices = new Slices(
                run.number("seconds", run.smoke() ? 1 : 3),
                run.number("slices", run.smoke() ? 1 : 20),
                run.number("connections", 32));
        int warmup = run.number("warmup-seconds", run.smoke() ? 1 : 30);
        // With --together, each side may first warm up alone, in turn: its JIT then compiles with only its
        // own request threads on the core, not both sides' (Spring Boot's, loaded at once from a cold start,
        // stayed slow: docs/BENCHMARKS.md, 2026-12-06).
        int soloWarmup = run.number("solo-warmup-seconds", 0);
        // Each fork is a fresh pair of JVMs: what the JIT made of one process (inlining, code layout)
        // stays with it, so a ratio taken in one pair alone carries that pair's luck in every round.
        int forks = Math.max(1, Math.min(run.number("forks", 1), run.rounds()));
        String graceful = run.text("graceful-mode");
        boolean oneProcess = options.has("one-process");
        boolean tomcatAlone = run.apps().equals(List.of("tomcat"));
        // In one process, plain stands for the control: a valve that only passes requests on in graceful's
        // place, graceful on neither port, to show what the measurement itself tells apart.
        String experiment = graceful.equals("plain") && oneProcess ? "pass-valve" : graceful;
        if (!graceful.equals("graceful") && !(ServerApp.VALVES.contains(experiment) && tomcatAlone)) {
            throw new IllegalArgumentException("--graceful-mode: graceful, or with --apps tomcat one of "
                    + ServerApp.VALVES + " (and plain with --one-process); was '" + graceful + "' for "
                    + run.apps() + (oneProcess ? " in one process" : ""));
        }
        String valve = graceful.equals("graceful") ? null : experiment;
        boolean together = options.has("together");
        if (together && !(oneProcess ? SideThreads.APPS : SideThreads.TWO_PROCESS_APPS).containsAll(run.apps())) {
            throw new IllegalArgumentException("--together: with --one-process --apps of " + SideThreads.APPS
                    + ", in two processes --apps of " + SideThreads.TWO_PROCESS_APPS
                    + " (the pairs whose sides serve on threads of their own and measure what a user pays); was "
                    + run.apps() + (oneProcess ? " in one process" : " in two processes"));
        }
        for (String app : run.apps()) {
            int round = 0;
            for (int fork = 1; fork <= forks; fork++) {
                int rounds = run.rounds() / forks + (fork <= run.rounds() % forks ? 1 : 0);
                Map<String, Child> servers = new LinkedHashMap<>();
                // Together, the sides swap connectors from fork to fork, so that whatever the example's
                // connector gives the side on it falls on each side in half the forks: the control's side
                // on it took 0.06 µs more before the swap, which only swapping could tell apart from its
                // valve (swapped, that edge measured -0.03 to 0.04 µs: nothing measurable).
                boolean swapped = together && oneProcess && fork % 2 == 0;
                try {
                    if (oneProcess) {
                        servers.putAll(OneProcessPair.start(run, app, fork, valve, swapped));
                    } else {
                        start(run, app, fork, servers, experiment);
                    }
                    if (together) {
                        if (soloWarmup > 0) {
                            warmUpInTurn(run, app, fork, servers, soloWarmup, slices.connections());
                        }
                        TogetherRound.warmUp(run, app, fork, servers, warmup, slices.connections());
                    } else {
                        warmUpInTurn(run, app, fork, servers, warmup, slices.connections());
                    }
                    for (int i = 0; i < rounds; i++) {
                        if (together) {
                            TogetherRound.measure(run, app, ++round, fork, servers, slices, oneProcess, swapped);
                        } else {
                            measureRound(run, app, ++round, fork, servers, slices);
                        }
                    }
                } finally {
                    stop(servers);
                }
            }
        }
        String note = oneProcess && "pass-valve".equals(valve)
                ? "Both sides of this run are one JVM per fork serving the example **without graceful on both"
                        + " ports** (a control: what the measurement tells apart when nothing differs; see OneProcess).\n\n"
                : oneProcess && valve != null
                        ? "Both sides of this run are one JVM per fork serving the example without graceful on both ports;"
                                + " the \"graceful\" side is ServerApp's `" + valve
                                + "` (an experiment; see ServerApp).\n\n"
                        : oneProcess
                                ? "Both sides of this run are one JVM per fork (one-process mode: graceful on one port, the"
                                        + " same example without it on another; see OneProcess, and for Spring Boot"
                                        + " OneProcessAutoConfiguration).\n\n"
                                : valve == null
                                        ? ""
                                        : "The \"graceful\" side of this run is not graceful: it is ServerApp's `"
                                                + valve + "` mode (an experiment; see ServerApp).\n\n";
        run.finish(rows -> note + OverheadReport.render(rows, slices));
    }

    /** What one round gives each variant: {@code count} wrk runs of {@code seconds}, interleaved. */
    record Slices(int seconds, int count, int connections) {
        String perVariant() {
            return count + " interleaved slice(s) of " + seconds;
        }
    }

    /** Starts both variants of {@code app}, each proving what it is; the "graceful" one in {@code mode}. */
    private static void start(BenchRun run, String app, int fork, Map<String, Child> servers, String mode)
            throws Exception {
        // The experiments that add nothing came out 1.00-1.03 with the graceful side always started and
        // warmed first: which side goes first alternates from fork to fork, so that such an edge, if
        // the order is what gives it, falls on both sides alike.
        for (String variant : BenchRun.inTurn(fork, VARIANTS)) {
            String started = variant.equals("graceful") ? mode : variant;
            Child child = Child.start(
                    onServerCpus(run),
                    run.command(app, started, false, "5s"),
                    run.log(app + "-" + variant + "-fork" + fork + ".log"));
            servers.put(variant, child);
            int health = child.status("/healthz");
            int expected = started.equals("graceful") ? 200 : 404;
            if (health != expected) {
                throw new IllegalStateException(app + " (" + variant + "): GET /healthz answered " + health
                        + ", expected " + expected + ": the variant is not what it claims to be");
            }
        }
    }

    /** Warms each variant up with a discarded wrk run of its own, the side that goes first alternating by fork. */
    private static void warmUpInTurn(
            BenchRun run, String app, int fork, Map<String, Child> servers, int warmup, int connections)
            throws IOException, InterruptedException {
        for (String variant : BenchRun.inTurn(fork, VARIANTS)) {
            Wrk w = wrk(
                    run,
                    warmup,
                    connections,
                    servers.get(variant).port(),
                    run.log(app + "-" + variant + "-fork" + fork + "-warmup.txt"));
            System.out.printf(
                    Locale.ROOT, "%-11s %-8s fork %d warm-up: %.0f req/s%n", app, variant, fork, w.requestsPerSecond());
        }
    }

    /**
     * One round: the variants interleaved slice by slice (ABBA...), so that a drift in the
     * background load during the round moves both sides alike.
     */
    private static void measureRound(
            BenchRun run, String app, int r, int fork, Map<String, Child> servers, Slices slices)
            throws IOException, InterruptedException {
        Map<String, DescriptiveStatistics[]> round = new LinkedHashMap<>();
        Map<String, Object> load = BenchRun.row(r, app);
        for (int slice = 1; slice <= slices.count(); slice++) {
            for (String variant : BenchRun.inTurn(r + slice, VARIANTS)) {
                String name = String.format(Locale.ROOT, "%s-%s-round%d-%d.txt", app, variant, r, slice);
                Child server = servers.get(variant);
                Duration cpuBefore = cpu(server);
                Wrk w = wrk(run, slices.seconds(), slices.connections(), server.port(), run.log(name));
                long cpuNanos = cpu(server).minus(cpuBefore).toNanos();
                add(round, load, variant, w, cpuNanos);
            }
        }
        sample(run, load, fork, round);
    }

    /** Adds one slice of {@code variant} to its round: wrk's figures, and the server's CPU time (ns) over it. */
    static void add(
            Map<String, DescriptiveStatistics[]> round,
            Map<String, Object> totals,
            String variant,
            Wrk w,
            long cpuNanos) {
        DescriptiveStatistics[] s = round.computeIfAbsent(variant, v -> new DescriptiveStatistics[] {
            new DescriptiveStatistics(), new DescriptiveStatistics(), new DescriptiveStatistics()
        });
        s[0].addValue(w.requestsPerSecond());
        s[1].addValue(w.p50Ms());
        s[2].addValue(w.p99Ms());
        totals.merge(variant + ".requests", w.requests(), (a, b) -> (Long) a + (Long) b);
        totals.merge(variant + ".errors", w.errors(), (a, b) -> (Long) a + (Long) b);
        totals.merge(variant + ".cpu", cpuNanos, (a, b) -> (Long) a + (Long) b);
    }

    /** A round's sample of each variant, from its slices ({@link #add}) and the round's first columns. */
    static void sample(BenchRun run, Map<String, Object> load, int fork, Map<String, DescriptiveStatistics[]> round)
            throws IOException {
        for (String variant : VARIANTS) {
            DescriptiveStatistics[] s = round.get(variant);
            Map<String, Object> row = new LinkedHashMap<>(load);
            row.put("variant", variant);
            row.put("fork", fork);
            row.put("rps", s[0].getMean());
            // How far one slice is from the next: what sets the number of slices a round needs.
            row.put("slice_cv", s[0].getN() > 1 ? s[0].getStandardDeviation() / s[0].getMean() : 0.0);
            row.put("cpu_us", (Long) load.get(variant + ".cpu") / 1e3 / (Long) load.get(variant + ".requests"));
            row.put("p50_ms", Rows.median(s[1]));
            row.put("p99_ms", Rows.median(s[2]));
            row.put("requests", load.get(variant + ".requests"));
            row.put("errors", load.get(variant + ".errors"));
            row.keySet().removeIf(k -> k.contains("."));
            run.sample(row);
        }
    }

    /**
     * The server's CPU time so far, all its threads, user and kernel ({@code /proc/PID/stat} on Linux,
     * in clock ticks: 10 ms, a third of a percent of a 3 s slice). Unlike wall-clock throughput it
     * leaves out the time the hypervisor or another process took the server's core.
     */
    private static Duration cpu(Child server) {
        return server.jvm()
                .handle()
                .info()
                .totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("this OS does not report a process's CPU time"));
    }

    private static void stop(Map<String, Child> servers) throws Exception {
        Set<ChildJvm> stopped = new HashSet<>(); // in one-process mode both variants are one JVM
        for (Child c : servers.values()) {
            if (!stopped.add(c.jvm())) {
                continue;
            }
            try (c) {
                if (c.jvm().isAlive()) {
                    c.jvm().signal("TERM");
                }
                c.jvm().awaitExit(Duration.ofMinutes(1));
            }
        }
    }

    /** The prefix that runs a server on the CPUs of {@code --server-cpus}, apart from wrk's. */
    static List<String> onServerCpus(BenchRun run) {
        return List.of("taskset", "-c", run.text("server-cpus"));
    }

    static Wrk wrk(BenchRun run, int seconds, int connections, int port, Path log)
            throws IOException, InterruptedException {
        String output = BenchRun.run(wrkCommand(run, seconds, connections, port));
        Files.writeString(log, output, StandardCharsets.UTF_8);
        return Wrk.parse(output);
    }

    /** {@code wrk -t1} on {@code GET /} of {@code port}, on the CPUs of {@code --client-cpus}. */
    static String[] wrkCommand(BenchRun run, int seconds, int connections, int port) {
        List<String> command = new ArrayList<>(List.of("taskset", "-c", run.text("client-cpus"), run.text("wrk")));
        command.addAll(List.of("-t1", "-c" + connections, "-d" + seconds + "s", "--latency"));
        command.add("http://127.0.0.1:" + port + "/");
        return command.toArray(String[]::new);
    }
}
