package dev.graceful.benchmarks.reaction;

import dev.graceful.benchmarks.apps.Launch;
import dev.graceful.benchmarks.apps.ServerApp;
import dev.graceful.benchmarks.support.Args;
import dev.graceful.benchmarks.support.Child;
import dev.graceful.benchmarks.support.Net;
import dev.graceful.benchmarks.support.Samples;
import dev.graceful.testkit.RawHttpConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Group 3: shutdown reaction. For each example and each round, fresh processes of two variants:
 * {@code graceful} (the example's own jar, as {@code examples/bin/run} starts it) and
 * {@code framework} (the same application with only its framework's graceful stop: see
 * {@link ServerApp}; for Spring Boot the same jar with {@code -Dgraceful.enabled=false}), each in
 * two scenarios:
 * <ul>
 *   <li>{@code inflight}: {@code N} requests {@code GET /work?ms=W} on kept-alive connections,
 *   SIGTERM a fixed time after they were sent; measured: the time from the last response read in
 *   full by the client to the process's exit (the client keeps a connection open unless its
 *   response said {@code Connection: close}, as a proxy's pool would);</li>
 *   <li>{@code idle}: nothing in flight, no connection open, no readiness delay; measured: the time
 *   from SIGTERM to exit.</li>
 * </ul>
 * For graceful, the arrival of its log lines {@code Drained in} and {@code Shutdown complete}
 * splits the time into the drain's end, the participants' close, and the JVM's exit. Every time is
 * taken on this JVM's clock. Each sample is one CSV line of {@code samples.csv}; {@link ReactionReport}
 * turns the file into the report.
 */
public final class ReactionBench {

    /** The examples measured. */
    static final List<String> APPS = Launch.APPS;
    /** The variants compared. */
    static final List<String> VARIANTS = List.of("graceful", "framework");
    /** The scenarios. */
    static final List<String> SCENARIOS = List.of("inflight", "idle");
    /** The CSV columns; times in ms from SIGTERM. */
    static final List<String> COLUMNS = List.of("round", "app", "variant", "scenario", "requests", "ok", "failures",
            "last_ms", "drained_ms", "complete_ms", "exit_ms", "exit_code", "load1");

    private ReactionBench() {
    }

    /**
     * Runs the group.
     *
     * @param args {@code --repo DIR --jar FILE --java FILE --out DIR [--rounds N] [--apps a,b]
     *             [--in-flight N] [--work-ms MS] [--term-after-ms MS] [--jvm-opts "..."] [--smoke]}
     * @throws Exception when a measurement cannot be made
     */
    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        Launch launch = Launch.from(a);
        Path out = a.path("out");
        boolean smoke = a.smoke();
        int rounds = a.positive("rounds", smoke ? 1 : 5);
        List<String> apps = a.list("apps", APPS, APPS);
        int inFlight = a.positive("in-flight", 4);
        int workMs = a.positive("work-ms", smoke ? 400 : 1000);
        int termAfterMs = a.positive("term-after-ms", smoke ? 150 : 300);

        Files.createDirectories(out.resolve("logs"));
        Samples samples = Samples.create(out.resolve("samples.csv"), COLUMNS);
        for (int r = 1; r <= rounds; r++) {
            for (String app : apps) {
                // Alternate which variant goes first, so that neither always runs right after the other.
                List<String> variants = r % 2 == 1 ? VARIANTS : List.of(VARIANTS.get(1), VARIANTS.get(0));
                for (String variant : variants) {
                    for (String scenario : SCENARIOS) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("round", r);
                        row.put("app", app);
                        row.put("variant", variant);
                        row.put("scenario", scenario);
                        row.put("load1", Samples.load1());
                        List<String> command = launch.command(app, variant, true, "30s");
                        Path log = out.resolve("logs").resolve(String.format(Locale.ROOT, "r%d-%s-%s-%s.log", r, app,
                                variant, scenario));
                        measure(command, log, scenario, inFlight, workMs, termAfterMs, row);
                        samples.add(row);
                        System.out.printf(Locale.ROOT, "round %d %-11s %-9s %-8s %s%n", r, app, variant, scenario,
                                summary(row));
                    }
                }
            }
        }
        Files.writeString(out.resolve("table.md"), ReactionReport.render(Samples.read(out.resolve("samples.csv")), workMs, inFlight, termAfterMs));
    }

    private static void measure(List<String> template, Path log, String scenario, int inFlight, int workMs,
            int termAfterMs, Map<String, Object> row) throws Exception {
        int port = Net.freePort();
        List<String> command = Launch.withPort(template, port);
        List<RawHttpConnection> open = new ArrayList<>();
        try (Child child = Child.start(command, Map.of(), log)) {
            Net.awaitOk(child, port, "/", 120, TimeUnit.SECONDS);
            Net.warmUp(port);
            long term;
            Held[] held = new Held[0];
            if (scenario.equals("inflight")) {
                held = new Held[inFlight];
                for (int i = 0; i < inFlight; i++) {
                    RawHttpConnection c = RawHttpConnection.open(port);
                    open.add(c);
                    c.send("GET", "/work?ms=" + workMs, null);
                    held[i] = new Held(c);
                    held[i].thread.start();
                }
                TimeUnit.MILLISECONDS.sleep(termAfterMs);
                term = child.terminate();
            } else {
                // Let the warm-up's connection close on the server side too.
                TimeUnit.MILLISECONDS.sleep(200);
                term = child.terminate();
            }
            long exit = child.awaitExit(120, TimeUnit.SECONDS);
            int ok = 0;
            StringBuilder failures = new StringBuilder();
            long last = Long.MIN_VALUE;
            for (Held h : held) {
                h.thread.join(TimeUnit.SECONDS.toMillis(15));
                if (h.status == 200) {
                    ok++;
                    last = Math.max(last, h.doneNanos);
                } else {
                    failures.append(failures.length() == 0 ? "" : " ").append(h.outcome());
                }
            }
            row.put("requests", held.length);
            row.put("ok", ok);
            row.put("failures", failures.toString());
            if (held.length > 0 && ok == held.length) {
                row.put("last_ms", ms(last - term));
            }
            row.put("drained_ms", since(term, child.lineTime(l -> l.contains("GracefulShutdown") && l.contains("Drained in"))));
            row.put("complete_ms", since(term, child.lineTime(l -> l.contains("GracefulShutdown") && l.contains("Shutdown complete"))));
            row.put("exit_ms", ms(exit - term));
            row.put("exit_code", child.exitCode());
        } finally {
            for (RawHttpConnection c : open) {
                c.close();
            }
        }
    }

    /** One in-flight request and its reader. */
    private static final class Held {
        final RawHttpConnection connection;
        final Thread thread;
        volatile int status = -1;
        volatile long doneNanos;
        volatile String failure = "";

        Held(RawHttpConnection connection) {
            this.connection = connection;
            this.thread = new Thread(this::read, "in-flight-reader");
            this.thread.setDaemon(true);
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

    private static Double since(long term, OptionalLong at) {
        return at.isPresent() ? ms(at.getAsLong() - term) : null;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String summary(Map<String, Object> row) {
        StringBuilder sb = new StringBuilder();
        if (row.get("last_ms") instanceof Double last) {
            sb.append(String.format(Locale.ROOT, "last completion -> exit %.1f ms; ", (Double) row.get("exit_ms") - last));
        } else if ((int) row.get("requests") > 0) {
            sb.append("requests ").append(row.get("ok")).append('/').append(row.get("requests")).append(" ok (")
                    .append(row.get("failures")).append("); ");
        }
        sb.append(String.format(Locale.ROOT, "SIGTERM -> exit %.1f ms; exit code %s; load %s", (Double) row.get("exit_ms"),
                row.get("exit_code"), row.get("load1")));
        return sb.toString();
    }
}
