package dev.graceful.benchmarks.scale;

import static dev.graceful.benchmarks.support.BenchRun.ms;

import dev.graceful.benchmarks.support.BenchRun;
import dev.graceful.benchmarks.support.Child;
import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Group 4, drain at scale, as {@code bin/run-scale} runs it (its header: options, output); method and
 * report: {@code docs/BENCHMARKS.md}. The N requests are held by {@link HeldRequests}.
 */
public final class ScaleBench {

    /** The examples that can be measured: those with an asynchronous {@code /work} that holds no thread. */
    static final List<String> APPS = List.of("netty", "jetty");
    /** Not Jetty: its accept queue overflows under this client's burst of connects ({@code docs/BENCHMARKS.md}). */
    static final List<String> DEFAULT_APPS = List.of("netty");
    /** Times in ms. */
    static final List<String> COLUMNS =
            List.of(("round,app,n,ok,failures,connect_ms,due_after_term_ms,first_after_due_ms,"
                            + "last_after_due_ms,last_to_exit_ms,drained_ms,exit_ms,exit_code,heap_idle_kb,heap_held_kb,rss_idle_kb,"
                            + "rss_held_kb,hwm_kb,load1,variant")
                    .split(","));
    /** With graceful, and the baseline: the same server without it, stopped only once all N are answered. */
    static final List<String> VARIANTS = List.of("graceful", "plain");
    /** The first connection waits for the last, idle, and must not outlive the server's idle timeout (Jetty: 30 s). */
    private static final int MAX_CONNECT_SECONDS = 15;

    private ScaleBench() {}

    public static void main(String[] args) throws Exception {
        BenchRun run = BenchRun.start(
                BenchRun.parser("sizes", "lead-ms").parse(args), COLUMNS, 3, APPS, DEFAULT_APPS, DEFAULT_APPS);
        List<Integer> sizes =
                BenchRun.numbers(run.options(), "sizes", run.smoke() ? List.of(50) : List.of(1000, 2500, 5000, 10000));
        int lead = run.number("lead-ms", 3000); // more on a loaded machine, where jcmd is slow
        String jcmd = run.jcmd();
        for (int r = 1; r <= run.rounds(); r++) {
            for (String app : run.apps()) {
                for (int n : sizes) {
                    for (String variant : BenchRun.inTurn(r, VARIANTS)) {
                        Map<String, Object> row = BenchRun.row(r, app);
                        row.put("n", n);
                        row.put("variant", variant);
                        Path log = run.log(String.format(Locale.ROOT, "r%d-%s-%s-%d.log", r, app, variant, n));
                        // graceful: the example's own jar (its log says when it drained); plain: ServerApp.
                        measure(run.command(app, variant, true, "60s"), jcmd, log, n, lead, row);
                        run.sample(row);
                    }
                }
            }
        }
        run.finish(ScaleBench::render);
    }

    private static void measure(List<String> template, String jcmd, Path log, int n, int lead, Map<String, Object> row)
            throws Exception {
        try (Child child = Child.start(List.of(), template, log)) {
            int port = child.port();
            child.warmUp();
            row.put("heap_idle_kb", child.liveHeapKb(jcmd));
            row.put("rss_idle_kb", child.statusKb("VmRSS"));
            long connectStart = System.nanoTime();
            try (HeldRequests held = HeldRequests.open(port, n, MAX_CONNECT_SECONDS, TimeUnit.SECONDS)) {
                row.put("connect_ms", ms(System.nanoTime() - connectStart));
                // Due far enough ahead to send them all, let the server accept and read them, and
                // measure its heap (two jcmd runs, about a second each here), all before SIGTERM.
                long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lead + n / 2);
                held.sendAllDueAt(due);
                awaitAccepted(port, 30);
                row.put("heap_held_kb", child.liveHeapKb(jcmd));
                row.put("rss_held_kb", child.statusKb("VmRSS"));
                row.put("hwm_kb", child.statusKb("VmHWM"));
                boolean graceful = row.get("variant").equals("graceful");
                long term = graceful ? child.jvm().signal("TERM") : 0;
                row.put("due_after_term_ms", graceful ? ms(due - term) : null);
                if (graceful && due - term < TimeUnit.MILLISECONDS.toNanos(200)) {
                    throw new IllegalStateException(
                            "SIGTERM came only " + ms(due - term) + " ms before the requests were due:"
                                    + " they may not all have been in flight; the set-up of N=" + n
                                    + " took too long on this machine");
                }
                held.awaitAll(120, TimeUnit.SECONDS);
                if (!graceful) {
                    child.jvm().signal("TERM"); // answered all: without graceful the signal ends it at once
                }
                int exitCode = child.jvm().awaitExit(Duration.ofMinutes(2));
                long exit = child.jvm().exitedAtNanos();
                row.put("ok", held.ok());
                row.put("failures", held.failures());
                long[] range = held.completionRange();
                if (range != null) {
                    row.put("first_after_due_ms", ms(range[0] - due));
                    row.put("last_after_due_ms", ms(range[1] - due));
                    row.put("last_to_exit_ms", graceful ? ms(exit - range[1]) : null);
                }
                row.put("drained_ms", graceful ? child.loggedAfter(term, "Drained in") : null);
                row.put("exit_ms", graceful ? ms(exit - term) : null);
                row.put("exit_code", exitCode);
            }
        }
    }

    /** Waits until the listener's accept queue is empty ({@code ss}' Recv-Q), so every request is the server's. */
    private static void awaitAccepted(int port, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String out = BenchRun.run("ss", "-Hltn", "sport = :" + port).trim();
            String[] f = out.split("\\s+");
            if (f.length >= 2 && f[1].equals("0")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "port " + port + ": connections still waiting to be accepted after " + seconds + " s: " + out);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    static String render(List<Map<String, String>> rows) {
        Set<String> apps = Rows.distinct(rows, "app");
        TreeSet<Integer> sizes =
                rows.stream().map(r -> Integer.valueOf(r.get("n"))).collect(Collectors.toCollection(TreeSet::new));
        ToDoubleFunction<Map<String, String>> last = Rows.column("last_after_due_ms");
        ToDoubleFunction<Map<String, String>> lastPerRequest =
                r -> 1000 * last.applyAsDouble(r) / Samples.number(r, "n");
        ToDoubleFunction<Map<String, String>> heapMib =
                r -> (Samples.number(r, "heap_held_kb") - Samples.number(r, "heap_idle_kb")) / 1024;
        ToDoubleFunction<Map<String, String>> heapPerRequest =
                r -> 1024 * 1024 * heapMib.applyAsDouble(r) / Samples.number(r, "n");
        ToDoubleFunction<Map<String, String>> rssMib =
                r -> (Samples.number(r, "rss_held_kb") - Samples.number(r, "rss_idle_kb")) / 1024;
        ToDoubleFunction<Map<String, String>> peakMib = r -> Samples.number(r, "hwm_kb") / 1024;

        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%d round(s); every sample a fresh process; median [min–max] over rounds."
                        + " All N requests were due at the same moment, a few seconds after they were sent; SIGTERM came while"
                        + " all were held.%n%n",
                Rows.distinct(rows, "round").size()));
        sb.append(
                "| example | N | answered 200 | last response after due (ms) | per request (µs) | last response → exit (ms)"
                        + " | SIGTERM → `Drained in` (ms) | live heap held (MiB) | per request (bytes) | RSS held (MiB) | peak RSS (MiB) |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder ratios = new StringBuilder();
        for (String app : apps) {
            for (String variant : VARIANTS) {
                for (int n : sizes) {
                    List<Map<String, String>> s = select(rows, app, n, variant);
                    if (s.isEmpty()) {
                        continue;
                    }
                    ratios.append(
                            variant.equals("graceful")
                                    ? ""
                                    : String.format(
                                            Locale.ROOT,
                                            "- %s, N=%d, with graceful ÷ without (paired by round): time to answer all %s, live heap held %s%n",
                                            app,
                                            n,
                                            Rows.ratio(select(rows, app, n, "graceful"), s, last),
                                            Rows.ratio(select(rows, app, n, "graceful"), s, heapMib)));
                    String label = variant.equals("graceful") ? app : app + " without graceful";
                    sb.append("| " + label + " | " + n + " | " + Rows.answered(s, "n"));
                    for (ToDoubleFunction<Map<String, String>> f : List.of(
                            last,
                            lastPerRequest,
                            Rows.column("last_to_exit_ms"),
                            Rows.column("drained_ms"),
                            heapMib,
                            heapPerRequest,
                            rssMib,
                            peakMib)) {
                        sb.append(" | ").append(Rows.cell(s, f));
                    }
                    sb.append(" |\n");
                }
            }
        }
        sb.append('\n').append(ratios);
        if (sizes.size() > 1) {
            int small = sizes.first();
            int large = sizes.last();
            for (String app : apps) {
                List<Map<String, String>> a = select(rows, app, small, "graceful");
                List<Map<String, String>> b = select(rows, app, large, "graceful");
                sb.append(String.format(
                        Locale.ROOT,
                        "- %s, per-request cost at N=%d ÷ at N=%d (≤ 1: linear or better): time to answer all %s, live heap %s%n",
                        app,
                        large,
                        small,
                        ratio(b, a, lastPerRequest),
                        ratio(b, a, heapPerRequest)));
            }
        }
        long failed = rows.stream()
                .mapToLong(r -> (long) (Samples.number(r, "n") - Samples.number(r, "ok")))
                .sum();
        sb.append(String.format(
                Locale.ROOT,
                "- Requests not answered 200, all samples: %d%s%n",
                failed,
                failed == 0 ? "" : " (**failures**)"));
        return sb.append(Rows.loadRange(rows)).toString();
    }

    private static List<Map<String, String>> select(List<Map<String, String>> rows, String app, int n, String v) {
        return Rows.select(rows, "app", app, "n", Integer.toString(n), "variant", v);
    }

    private static String ratio(
            List<Map<String, String>> large, List<Map<String, String>> small, ToDoubleFunction<Map<String, String>> f) {
        double a = Rows.median(Rows.spread(large, f));
        double b = Rows.median(Rows.spread(small, f));
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", a / b);
    }
}
