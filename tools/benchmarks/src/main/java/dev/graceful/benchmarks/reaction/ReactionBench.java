package dev.graceful.benchmarks.reaction;

import static dev.graceful.benchmarks.support.BenchRun.ms;

import dev.graceful.benchmarks.apps.ServerApp;
import dev.graceful.benchmarks.support.BenchRun;
import dev.graceful.benchmarks.support.Child;
import dev.graceful.testkit.RawHttpConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Group 3, shutdown reaction (method: {@code docs/BENCHMARKS.md}). Per round and example, fresh
 * processes of {@code graceful} (the example's own jar) and {@code framework} (only the framework's
 * own graceful stop: {@link ServerApp}, or Boot without the starter), each in two scenarios:
 * {@code inflight} (N {@code GET /work?ms=W} on kept-alive connections, SIGTERM shortly after; the
 * client closes a connection only on {@code Connection: close}, as a proxy's pool does) and
 * {@code idle}. Every time is taken on this JVM's clock, graceful's log lines included.
 * Options, besides {@link BenchRun}'s: {@code [--in-flight N] [--work-ms MS] [--term-after-ms MS]}.
 */
public final class ReactionBench {

    static final List<String> APPS = BenchRun.APPS;
    static final List<String> VARIANTS = List.of("graceful", "framework");
    static final List<String> SCENARIOS = List.of("inflight", "idle");
    /** Times in ms from SIGTERM. */
    static final List<String> COLUMNS = List.of(
            "round",
            "app",
            "variant",
            "scenario",
            "requests",
            "ok",
            "failures",
            "last_ms",
            "drained_ms",
            "complete_ms",
            "exit_ms",
            "exit_code",
            "load1");

    private ReactionBench() {}

    public static void main(String[] args) throws Exception {
        BenchRun run = BenchRun.start(
                BenchRun.parser("in-flight", "work-ms", "term-after-ms").parse(args), COLUMNS, 5, APPS, APPS, APPS);
        int inFlight = run.number("in-flight", 4);
        int workMs = run.number("work-ms", run.smoke() ? 400 : 1000);
        int termAfterMs = run.number("term-after-ms", run.smoke() ? 150 : 300);
        for (int r = 1; r <= run.rounds(); r++) {
            for (String app : run.apps()) {
                for (String variant : BenchRun.inTurn(r, VARIANTS)) {
                    for (String scenario : SCENARIOS) {
                        Map<String, Object> row = BenchRun.row(r, app);
                        row.put("variant", variant);
                        row.put("scenario", scenario);
                        Path log = run.out()
                                .resolve("logs")
                                .resolve(String.format(Locale.ROOT, "r%d-%s-%s-%s.log", r, app, variant, scenario));
                        int requests = scenario.equals("inflight") ? inFlight : 0;
                        measure(run.command(app, variant, true, "30s"), log, requests, workMs, termAfterMs, row);
                        run.sample(row);
                    }
                }
            }
        }
        run.finish(rows -> ReactionReport.render(rows, workMs, inFlight, termAfterMs));
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
            long term = child.terminate();
            long exit = child.awaitExit(120, TimeUnit.SECONDS);
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
            row.put(
                    "drained_ms",
                    since(term, child.lineTime(l -> l.contains("GracefulShutdown") && l.contains("Drained in"))));
            row.put(
                    "complete_ms",
                    since(
                            term,
                            child.lineTime(l -> l.contains("GracefulShutdown") && l.contains("Shutdown complete"))));
            row.put("exit_ms", ms(exit - term));
            row.put("exit_code", child.exitCode());
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

    private static Double since(long term, OptionalLong at) {
        return at.isPresent() ? ms(at.getAsLong() - term) : null;
    }
}
