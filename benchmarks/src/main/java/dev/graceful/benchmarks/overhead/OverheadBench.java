package dev.graceful.benchmarks.overhead;

import dev.graceful.benchmarks.apps.Launch;
import dev.graceful.benchmarks.support.BenchRun;
import dev.graceful.benchmarks.support.Child;
import dev.graceful.benchmarks.support.Net;
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
import joptsimple.OptionParser;

/**
 * Group 2: adapter overhead under load. For each example, two servers run side by side, the same
 * application {@code graceful} and {@code plain} (nothing of graceful at all: see
 * {@link dev.graceful.benchmarks.apps.ServerApp}), each checked to be what it claims ({@code /healthz}
 * answers 200 with graceful, 404 without); both are warmed up with a discarded {@code wrk} run,
 * then measured in rounds, one {@code wrk --latency} run of {@code GET /} each per round,
 * alternating which goes first. The servers are pinned to one CPU and wrk to another
 * ({@code taskset}), so that the load generator and the server do not take turns on a core at
 * random. {@link OverheadReport} makes the report. Options, besides {@link BenchRun}'s:
 * {@code [--seconds S] [--warmup-seconds S] [--connections C] [--server-cpus LIST] [--client-cpus LIST] [--wrk FILE]}.
 */
public final class OverheadBench {

    static final List<String> VARIANTS = List.of("graceful", "plain");
    static final List<String> COLUMNS = List.of("round", "app", "variant", "rps", "p50_ms", "p99_ms", "requests",
            "errors", "load1");

    private OverheadBench() {
    }

    public static void main(String[] args) throws Exception {
        OptionParser parser = BenchRun.parser("seconds", "warmup-seconds", "connections");
        parser.accepts("server-cpus").withRequiredArg().defaultsTo("0");
        parser.accepts("client-cpus").withRequiredArg().defaultsTo("1");
        parser.accepts("wrk").withRequiredArg().defaultsTo("wrk");
        BenchRun run = BenchRun.start(parser.parse(args), COLUMNS, 5, Launch.APPS, Launch.APPS, List.of("netty"));
        int seconds = run.number("seconds", run.smoke() ? 1 : 10);
        int warmup = run.number("warmup-seconds", run.smoke() ? 1 : 20);
        int connections = run.number("connections", 32);
        Path logs = run.out().resolve("logs");
        for (String app : run.apps()) {
            Map<String, Child> servers = new LinkedHashMap<>();
            Map<String, Integer> ports = new LinkedHashMap<>();
            try {
                for (String variant : VARIANTS) {
                    int port = Net.freePort();
                    List<String> command = new ArrayList<>(List.of("taskset", "-c", run.text("server-cpus")));
                    command.addAll(Launch.withPort(run.launch().command(app, variant, false, "5s"), port));
                    Child child = Child.start(command, logs.resolve(app + "-" + variant + ".log"));
                    servers.put(variant, child);
                    ports.put(variant, port);
                    Net.awaitOk(child, port);
                    int health = Net.status(port, "/healthz");
                    int expected = variant.equals("graceful") ? 200 : 404;
                    if (health != expected) {
                        throw new IllegalStateException(app + " (" + variant + "): GET /healthz answered " + health
                                + ", expected " + expected + ": the variant is not what it claims to be");
                    }
                }
                for (String variant : VARIANTS) {
                    Wrk w = wrk(run, connections, warmup, ports.get(variant), logs.resolve(app + "-" + variant + "-warmup.txt"));
                    System.out.printf(Locale.ROOT, "%-11s %-8s warm-up: %.0f req/s%n", app, variant, w.requestsPerSecond());
                }
                for (int r = 1; r <= run.rounds(); r++) {
                    for (String variant : BenchRun.inTurn(r, VARIANTS)) {
                        Map<String, Object> row = BenchRun.row(r, app);
                        Wrk w = wrk(run, connections, seconds, ports.get(variant),
                                logs.resolve(String.format(Locale.ROOT, "%s-%s-round%d.txt", app, variant, r)));
                        row.putAll(Map.of("variant", variant, "rps", w.requestsPerSecond(), "p50_ms", w.p50Ms(),
                                "p99_ms", w.p99Ms(), "requests", w.requests(), "errors", w.errors()));
                        run.sample(row);
                    }
                }
            } finally {
                servers.values().forEach(Child::terminate);
                for (Child c : servers.values()) {
                    try (c) {
                        c.awaitExit(60, TimeUnit.SECONDS);
                    }
                }
            }
        }
        run.finish(rows -> OverheadReport.render(rows, seconds, connections));
    }

    private static Wrk wrk(BenchRun run, int connections, int seconds, int port, Path log)
            throws IOException, InterruptedException {
        List<String> command = List.of("taskset", "-c", run.text("client-cpus"), run.text("wrk"), "-t1",
                "-c" + connections, "-d" + seconds + "s", "--latency", "http://127.0.0.1:" + port + "/");
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
