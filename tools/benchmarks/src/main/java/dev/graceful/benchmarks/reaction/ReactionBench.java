package dev.graceful.benchmarks.reaction;

import static dev.graceful.benchmarks.support.BenchRun.ms;

import dev.graceful.benchmarks.support.BenchRun;
import dev.graceful.benchmarks.support.Child;
import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import dev.graceful.testkit.RawHttpConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * Group 3, shutdown reaction, as {@code bin/run-reaction} runs it (its header: options, output); method
 * and report: {@code docs/BENCHMARKS.md}. Every time is taken on this JVM's clock, graceful's log lines included.
 */
public final class ReactionBench {

    static final List<String> APPS = BenchRun.APPS;
    /**
     * The smoke's apps (the build runs it): one servlet container and Netty exercise every code path of this
     * command; the Spring examples' minute of starts adds nothing here that the contract tests do not hold.
     */
    static final List<String> SMOKE_APPS = List.of("jetty", "netty");

    static final List<String> VARIANTS = List.of("graceful", "framework");
    static final List<String> SCENARIOS = List.of("inflight", "idle");
    /** Times in ms from SIGTERM. */
    static final List<String> COLUMNS = List.of(
            "round,app,variant,scenario,requests,ok,failures,last_ms,drained_ms,complete_ms,exit_ms,exit_code,load1"
                    .split(","));
    /** Target of issue 7: last in-flight completion to exit, median. */
    static final double TARGET_MS = 50;
    /** Target of issue 12: idle SIGTERM to exit within this many times the framework's own stop, same round. */
    static final double IDLE_RATIO_TARGET = 1.1;

    private ReactionBench() {}

    public static void main(String[] args) throws Exception {
        OptionParser parser = BenchRun.parser("in-flight", "work-ms", "term-after-ms");
        OptionSpec<String> scenarioOption =
                parser.accepts("scenarios").withRequiredArg().withValuesSeparatedBy(',');
        OptionSet options = parser.parse(args);
        List<String> scenarios = options.has(scenarioOption) ? options.valuesOf(scenarioOption) : SCENARIOS;
        if (scenarios.isEmpty() || !SCENARIOS.containsAll(scenarios)) {
            throw new IllegalArgumentException("--scenarios: " + scenarios + "; each must be one of " + SCENARIOS);
        }
        BenchRun run = BenchRun.start(options, COLUMNS, 5, APPS, APPS, SMOKE_APPS);
        int inFlight = run.number("in-flight", 4);
        int workMs = run.number("work-ms", run.smoke() ? 400 : 1000);
        int termAfterMs = run.number("term-after-ms", run.smoke() ? 150 : 300);
        for (int r = 1; r <= run.rounds(); r++) {
            for (String app : run.apps()) {
                for (String variant : BenchRun.inTurn(r, VARIANTS)) {
                    for (String scenario : scenarios) {
                        Map<String, Object> row = BenchRun.row(r, app);
                        row.put("variant", variant);
                        row.put("scenario", scenario);
                        Path log = run.log(String.format(Locale.ROOT, "r%d-%s-%s-%s.log", r, app, variant, scenario));
                        int requests = scenario.equals("inflight") ? inFlight : 0;
                        measure(run.command(app, variant, true, "30s"), log, requests, workMs, termAfterMs, row);
                        run.sample(row);
                    }
                }
            }
        }
        run.finish(rows -> render(rows, workMs, inFlight, termAfterMs));
    }

    private static void measure(
            List<String> template, Path log, int requests, int workMs, int termAfterMs, Map<String, Object> row)
            throws Exception {
        List<Held> held = new ArrayList<>();
        try (Child child = Child.start(List.of(), template, log)) {
            child.warmUp();
            for (int i = 0; i < requests; i++) {
                held.add(new Held(RawHttpConnection.open(child.port()), workMs));
            }
            // Idle: let the warm-up's connection close on the server side too.
            TimeUnit.MILLISECONDS.sleep(requests > 0 ? termAfterMs : 200);
            long term = child.jvm().signal("TERM");
            int exitCode = child.jvm().awaitExit(Duration.ofMinutes(2));
            long exit = child.jvm().exitedAtNanos();
            int ok = 0;
            List<String> failures = new ArrayList<>();
            long last = Long.MIN_VALUE;
            for (Held h : held) {
                h.thread.join(TimeUnit.SECONDS.toMillis(15));
                if (h.status == 200) {
                    ok++;
                    last = Math.max(last, h.doneNanos);
                } else {
                    failures.add(h.outcome());
                }
            }
            row.put("requests", requests);
            row.put("ok", ok);
            row.put("failures", String.join(" ", failures));
            if (requests > 0 && ok == requests) {
                row.put("last_ms", ms(last - term));
            }
            row.put("drained_ms", child.loggedAfter(term, "Drained in"));
            row.put("complete_ms", child.loggedAfter(term, "Shutdown complete"));
            row.put("exit_ms", ms(exit - term));
            row.put("exit_code", exitCode);
        } finally {
            for (Held h : held) {
                h.connection.close();
            }
        }
    }

    /** One in-flight request, sent at once, and the thread that reads its response. */
    private static final class Held {
        final RawHttpConnection connection;
        final Thread thread = new Thread(this::read, "in-flight-reader");
        volatile int status = -1;
        volatile long doneNanos;
        volatile String failure = "";

        Held(RawHttpConnection connection, int workMs) throws IOException {
            this.connection = connection;
            connection.send("GET", "/work?ms=" + workMs, null);
            thread.setDaemon(true);
            thread.start();
        }

        private void read() {
            try {
                RawHttpConnection.Response r = connection.read();
                doneNanos = System.nanoTime();
                status = r.status();
                if (r.connectionClose()) {
                    // As a client (or a proxy's pool) does on Connection: close; a server that
                    // lingers for the client's close, to avoid a reset, would otherwise wait for it.
                    connection.close();
                }
            } catch (IOException e) {
                doneNanos = System.nanoTime();
                String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
                failure = m.contains("reset") ? "reset" : m.contains("closed") ? "closed" : "error";
            }
        }

        String outcome() {
            return status > 0 ? Integer.toString(status) : failure.isEmpty() ? "none" : failure;
        }
    }

    static String render(List<Map<String, String>> rows, int workMs, int inFlight, int termAfterMs) {
        Set<String> apps = Rows.distinct(rows, "app");
        // A run of one scenario (--scenarios) reports that one.
        Set<String> scenarios = Rows.distinct(rows, "scenario");
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "%d round(s); every sample a fresh process;"
                        + " times in ms, median [min–max] over rounds; ratios: graceful ÷ framework within the same round.%n%n",
                Rows.distinct(rows, "round").size()));

        StringBuilder targets = new StringBuilder();
        if (scenarios.contains("inflight")) {
            inFlightSection(rows, apps, workMs, inFlight, termAfterMs, sb, targets);
        }
        if (scenarios.contains("idle")) {
            idleSection(rows, apps, sb, targets);
        }
        sb.append("\n#### Where graceful's time goes (from its log lines' arrival)\n\n");
        sb.append(
                "| example | scenario | start → `Drained in` | `Drained in` → `Shutdown complete` | `Shutdown complete` → exit | total |\n");
        sb.append("|---|---|---:|---:|---:|---:|\n");
        for (String scenario : SCENARIOS) {
            if (!scenarios.contains(scenario)) {
                continue;
            }
            boolean inflight = scenario.equals("inflight");
            ToDoubleFunction<Map<String, String>> start = r -> inflight ? Samples.number(r, "last_ms") : 0;
            for (String app : apps) {
                List<Map<String, String>> g = select(rows, app, "graceful", scenario);
                sb.append(Rows.line(
                        app,
                        inflight ? "last completion → exit" : "SIGTERM → exit",
                        Rows.cell(g, r -> Samples.number(r, "drained_ms") - start.applyAsDouble(r)),
                        Rows.cell(g, r -> Samples.number(r, "complete_ms") - Samples.number(r, "drained_ms")),
                        Rows.cell(g, r -> Samples.number(r, "exit_ms") - Samples.number(r, "complete_ms")),
                        Rows.cell(g, r -> Samples.number(r, "exit_ms") - start.applyAsDouble(r))));
            }
        }
        return sb.append('\n').append(targets).append(Rows.loadRange(rows)).toString();
    }

    private static void inFlightSection(
            List<Map<String, String>> rows,
            Set<String> apps,
            int workMs,
            int inFlight,
            int termAfterMs,
            StringBuilder sb,
            StringBuilder targets) {
        sb.append(String.format(
                Locale.ROOT,
                "#### Last in-flight completion → exit (%d × `GET /work?ms=%d` in flight, SIGTERM %d ms after they were sent)",
                inFlight,
                workMs,
                termAfterMs));
        sb.append(
                "\n\n| example | graceful | framework's own stop | graceful ÷ framework | answered 200 (graceful / framework) |\n");
        sb.append("|---|---:|---:|---:|---|\n");
        ToDoubleFunction<Map<String, String>> lastToExit =
                r -> Samples.number(r, "exit_ms") - Samples.number(r, "last_ms");
        for (String app : apps) {
            List<Map<String, String>> g = select(rows, app, "graceful", "inflight");
            List<Map<String, String>> f = select(rows, app, "framework", "inflight");
            DescriptiveStatistics s = Rows.spread(g, lastToExit);
            targets.append(String.format(
                    Locale.ROOT,
                    "- Target, %s: last completion → exit ≤ %.0f ms median: %s (median %s ms)%n",
                    app,
                    TARGET_MS,
                    Rows.verdict(s, m -> m <= TARGET_MS),
                    s.getN() == 0 ? "n/a" : Rows.number(Rows.median(s))));
            sb.append(Rows.line(
                    app,
                    Rows.format(s),
                    baselineCell(f, lastToExit),
                    Rows.ratio(g, f, lastToExit),
                    Rows.answered(g, "requests") + " / " + Rows.answered(f, "requests")));
        }
    }

    private static void idleSection(
            List<Map<String, String>> rows, Set<String> apps, StringBuilder sb, StringBuilder targets) {
        sb.append("\n#### SIGTERM → exit, nothing in flight, no readiness delay\n\n");
        sb.append(
                "| example | graceful | framework's own stop | graceful ÷ framework | exit codes (graceful / framework) |\n");
        sb.append("|---|---:|---:|---:|---|\n");
        ToDoubleFunction<Map<String, String>> exit = Rows.column("exit_ms");
        for (String app : apps) {
            List<Map<String, String>> g = select(rows, app, "graceful", "idle");
            List<Map<String, String>> f = select(rows, app, "framework", "idle");
            sb.append(Rows.line(
                    app, Rows.cell(g, exit), Rows.cell(f, exit), Rows.ratio(g, f, exit), codes(g) + " / " + codes(f)));
            targets.append(String.format(
                    Locale.ROOT,
                    "- Target, %s: idle SIGTERM → exit ≤ %.1f× the framework's own stop (median of the rounds' ratios): %s%n",
                    app,
                    IDLE_RATIO_TARGET,
                    Rows.verdictAtMost(Rows.pairedRatio(g, f, exit), IDLE_RATIO_TARGET)));
        }
    }

    private static List<Map<String, String>> select(
            List<Map<String, String>> rows, String app, String variant, String scenario) {
        return Rows.select(rows, "app", app, "variant", variant, "scenario", scenario);
    }

    /** A baseline cell: its spread, or why there is none (its requests were not all answered). */
    private static String baselineCell(List<Map<String, String>> rows, ToDoubleFunction<Map<String, String>> f) {
        DescriptiveStatistics s = Rows.spread(rows, f);
        if (s.getN() == rows.size() || rows.isEmpty()) {
            return Rows.format(s);
        }
        String measured = s.getN() == 0 ? "n/a" : Rows.format(s) + " (" + s.getN() + " of " + rows.size() + ")";
        return measured + ": requests cut";
    }

    private static String codes(List<Map<String, String>> rows) {
        return rows.stream()
                .map(r -> r.getOrDefault("exit_code", "?"))
                .distinct()
                .sorted()
                .collect(Collectors.joining(", "));
    }
}
