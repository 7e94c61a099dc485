package dev.graceful.benchmarks.overhead;

import dev.graceful.benchmarks.apps.Launch;
import dev.graceful.benchmarks.support.Args;
import dev.graceful.benchmarks.support.Child;
import dev.graceful.benchmarks.support.Net;
import dev.graceful.benchmarks.support.Samples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Group 2: adapter overhead under load. For each example, two servers run side by side, the same
 * application {@code graceful} and {@code plain} (nothing of graceful at all: see
 * {@link dev.graceful.benchmarks.apps.ServerApp} and {@link Launch}); both are warmed up with a
 * discarded {@code wrk} run, then measured in rounds, one {@code wrk --latency} run of
 * {@code GET /} each per round, alternating which goes first. The servers are pinned to one CPU
 * and wrk to another ({@code taskset}), so that the load generator and the server do not take
 * turns on a core at random. Each wrk run is one CSV line of {@code samples.csv};
 * {@link OverheadReport} turns the file into the report.
 *
 * <p>Before measuring, each server is checked to be what it claims: {@code /healthz} answers 200
 * with graceful and 404 without it.
 */
public final class OverheadBench {

    /** The variants compared. */
    static final List<String> VARIANTS = List.of("graceful", "plain");
    /** The CSV columns. */
    static final List<String> COLUMNS = List.of("round", "app", "variant", "rps", "p50_ms", "p99_ms", "requests",
            "errors", "load1");

    private OverheadBench() {
    }

    /**
     * Runs the group.
     *
     * @param args {@code --repo DIR --jar FILE --java FILE --out DIR [--rounds N] [--apps a,b]
     *             [--seconds S] [--warmup-seconds S] [--connections C] [--server-cpus LIST]
     *             [--client-cpus LIST] [--wrk FILE] [--jvm-opts "..."] [--smoke]}
     * @throws Exception when a measurement cannot be made
     */
    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        Launch launch = Launch.from(a);
        Path out = a.path("out");
        boolean smoke = a.smoke();
        int rounds = a.positive("rounds", smoke ? 1 : 5);
        List<String> apps = a.list("apps", smoke ? List.of("netty") : Launch.APPS, Launch.APPS);
        int seconds = a.positive("seconds", smoke ? 1 : 10);
        int warmup = a.positive("warmup-seconds", smoke ? 1 : 20);
        int connections = a.positive("connections", 32);
        String serverCpus = a.text("server-cpus", "0");
        String clientCpus = a.text("client-cpus", "1");
        String wrk = a.text("wrk", "wrk");

        Files.createDirectories(out.resolve("logs"));
        Samples samples = Samples.create(out.resolve("samples.csv"), COLUMNS);
        for (String app : apps) {
            Map<String, Child> servers = new LinkedHashMap<>();
            Map<String, Integer> ports = new LinkedHashMap<>();
            try {
                for (String variant : VARIANTS) {
                    int port = Net.freePort();
                    List<String> command = new ArrayList<>(List.of("taskset", "-c", serverCpus));
                    command.addAll(Launch.withPort(launch.command(app, variant, false, "5s"), port));
                    Child child = Child.start(command, Map.of(), out.resolve("logs").resolve(app + "-" + variant + ".log"));
                    servers.put(variant, child);
                    ports.put(variant, port);
                    Net.awaitOk(child, port, "/", 120, TimeUnit.SECONDS);
                    int health = Net.status(port, "/healthz");
                    int expected = variant.equals("graceful") ? 200 : 404;
                    if (health != expected) {
                        throw new IllegalStateException(app + " (" + variant + "): GET /healthz answered " + health
                                + ", expected " + expected + ": the variant is not what it claims to be");
                    }
                }
                for (String variant : VARIANTS) {
                    Wrk w = wrk(wrk, clientCpus, connections, warmup, ports.get(variant),
                            out.resolve("logs").resolve(app + "-" + variant + "-warmup.txt"));
                    System.out.printf(Locale.ROOT, "%-11s %-8s warm-up: %.0f req/s%n", app, variant, w.requestsPerSecond());
                }
                for (int r = 1; r <= rounds; r++) {
                    // Alternate which variant goes first, so that neither always runs right after the other.
                    List<String> order = r % 2 == 1 ? VARIANTS : List.of(VARIANTS.get(1), VARIANTS.get(0));
                    for (String variant : order) {
                        String load = Samples.load1();
                        Wrk w = wrk(wrk, clientCpus, connections, seconds, ports.get(variant), out.resolve("logs")
                                .resolve(String.format(Locale.ROOT, "%s-%s-round%d.txt", app, variant, r)));
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("round", r);
                        row.put("app", app);
                        row.put("variant", variant);
                        row.put("rps", w.requestsPerSecond());
                        row.put("p50_ms", w.p50Ms());
                        row.put("p99_ms", w.p99Ms());
                        row.put("requests", w.requests());
                        row.put("errors", w.errors());
                        row.put("load1", load);
                        samples.add(row);
                        System.out.printf(Locale.ROOT, "round %d %-11s %-8s %9.0f req/s  p50 %.3f ms  p99 %.3f ms  errors %d  load %s%n",
                                r, app, variant, w.requestsPerSecond(), w.p50Ms(), w.p99Ms(), w.errors(), load);
                    }
                }
            } finally {
                for (Child c : servers.values()) {
                    c.terminate();
                }
                for (Child c : servers.values()) {
                    try {
                        c.awaitExit(60, TimeUnit.SECONDS);
                    } finally {
                        c.close();
                    }
                }
            }
        }
        Files.writeString(out.resolve("table.md"), OverheadReport.render(Samples.read(out.resolve("samples.csv")), seconds, connections));
    }

    private static Wrk wrk(String wrk, String cpus, int connections, int seconds, int port, Path log)
            throws IOException, InterruptedException {
        List<String> command = List.of("taskset", "-c", cpus, wrk, "-t1", "-c" + connections, "-d" + seconds + "s",
                "--latency", "http://127.0.0.1:" + port + "/");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish; see " + log);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + output);
        }
        return Wrk.parse(output);
    }
}
