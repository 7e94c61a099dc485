package dev.graceful.benchmarks.scale;

import static dev.graceful.benchmarks.support.BenchRun.ms;

import dev.graceful.benchmarks.support.BenchRun;
import dev.graceful.benchmarks.support.Child;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Group 4, drain at scale (method: {@code docs/BENCHMARKS.md}). Per round, example and size N, a
 * fresh process of the example's own jar; N requests held by {@link HeldRequests}, all due at the
 * same moment a few seconds ahead; the server's live heap ({@code jcmd}) and resident set measured
 * idle and holding them; SIGTERM while all are held; every response read. Options, besides
 * {@link BenchRun}'s: {@code [--sizes n1,n2,...]}.
 */
public final class ScaleBench {

    /** The examples that can be measured: those with an asynchronous {@code /work} that holds no thread. */
    static final List<String> APPS = List.of("netty", "jetty");
    /**
     * Measured by default. Not Jetty: its default accept queue (50) overflows under this client's
     * burst of connects, each overflowed connect is retried a second later, and opening thousands
     * then takes longer than the connections may wait ({@link #MAX_CONNECT_SECONDS}).
     */
    static final List<String> DEFAULT_APPS = List.of("netty");
    /** Times in ms. */
    static final List<String> COLUMNS = List.of(
            "round",
            "app",
            "n",
            "ok",
            "failures",
            "connect_ms",
            "due_after_term_ms",
            "first_after_due_ms",
            "last_after_due_ms",
            "last_to_exit_ms",
            "drained_ms",
            "exit_ms",
            "exit_code",
            "heap_idle_kb",
            "heap_held_kb",
            "rss_idle_kb",
            "rss_held_kb",
            "hwm_kb",
            "load1");
    /**
     * How long opening the N connections may take. The first connection waits, with no request,
     * until the last is open, and servers close connections idle for longer than their idle timeout
     * (Jetty's default: 30 s): such a request would fail for the benchmark's sake, not the drain's.
     */
    private static final int MAX_CONNECT_SECONDS = 15;
    /**
     * A heap's (or generation's) line of {@code GC.heap_info}: {@code total 262144K, used 20480K}
     * up to Java 21, {@code total reserved 6172672K, committed 28672K, used 4428K} from Java 25 on;
     * Metaspace's line has no {@code total}.
     */
    private static final Pattern HEAP_USED = Pattern.compile("total [^\\n]*?used (\\d+)K");

    private ScaleBench() {}

    public static void main(String[] args) throws Exception {
        BenchRun run =
                BenchRun.start(BenchRun.parser("sizes").parse(args), COLUMNS, 3, APPS, DEFAULT_APPS, DEFAULT_APPS);
        List<Integer> sizes = run.numbers("sizes", run.smoke() ? List.of(50) : List.of(1000, 2500, 5000, 10000));
        Path java = Path.of(run.text("java"));
        String jcmd =
                java.getParent() == null ? "jcmd" : java.resolveSibling("jcmd").toString();
        for (int r = 1; r <= run.rounds(); r++) {
            for (String app : run.apps()) {
                for (int n : sizes) {
                    Map<String, Object> row = BenchRun.row(r, app);
                    row.put("n", n);
                    Path log =
                            run.out().resolve("logs").resolve(String.format(Locale.ROOT, "r%d-%s-%d.log", r, app, n));
                    measure(run.command(app, "graceful", true, "60s"), jcmd, log, n, row);
                    run.sample(row);
                }
            }
        }
        run.finish(ScaleReport::render);
    }

    private static void measure(List<String> template, String jcmd, Path log, int n, Map<String, Object> row)
            throws Exception {
        try (Child child = Child.start(List.of(), template, log)) {
            int port = child.port();
            child.warmUp();
            row.put("heap_idle_kb", liveHeapKb(jcmd, child.pid()));
            row.put("rss_idle_kb", status(child.pid(), "VmRSS"));
            long connectStart = System.nanoTime();
            try (HeldRequests held = HeldRequests.open(port, n, MAX_CONNECT_SECONDS, TimeUnit.SECONDS)) {
                row.put("connect_ms", ms(System.nanoTime() - connectStart));
                // Due far enough ahead to send them all, let the server accept and read them, and
                // measure its heap (two jcmd runs, about a second each here), all before SIGTERM.
                long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3000 + n / 2);
                held.sendAllDueAt(due);
                awaitAccepted(port, 30);
                row.put("heap_held_kb", liveHeapKb(jcmd, child.pid()));
                row.put("rss_held_kb", status(child.pid(), "VmRSS"));
                row.put("hwm_kb", status(child.pid(), "VmHWM"));
                long term = child.terminate();
                row.put("due_after_term_ms", ms(due - term));
                if (due - term < TimeUnit.MILLISECONDS.toNanos(200)) {
                    throw new IllegalStateException(
                            "SIGTERM came only " + ms(due - term) + " ms before the requests were due:"
                                    + " they may not all have been in flight; the set-up of N=" + n
                                    + " took too long on this machine");
                }
                held.awaitAll(120, TimeUnit.SECONDS);
                long exit = child.awaitExit(120, TimeUnit.SECONDS);
                row.put("ok", held.ok());
                row.put("failures", held.failures());
                long[] range = held.completionRange();
                if (range != null) {
                    row.put("first_after_due_ms", ms(range[0] - due));
                    row.put("last_after_due_ms", ms(range[1] - due));
                    row.put("last_to_exit_ms", ms(exit - range[1]));
                }
                child.lineTime(l -> l.contains("Drained in")).ifPresent(t -> row.put("drained_ms", ms(t - term)));
                row.put("exit_ms", ms(exit - term));
                row.put("exit_code", child.exitCode());
            }
        }
    }

    /** Waits until the listener's accept queue is empty ({@code ss}' Recv-Q), so every request is the server's. */
    private static void awaitAccepted(int port, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String out = run("ss", "-Hltn", "sport = :" + port).trim();
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

    /** The heap in use right after a full GC: what the process holds live. */
    private static long liveHeapKb(String jcmd, long pid) throws IOException, InterruptedException {
        run(jcmd, Long.toString(pid), "GC.run");
        String info = run(jcmd, Long.toString(pid), "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        long used = m.results().mapToLong(r -> Long.parseLong(r.group(1))).sum();
        if (!m.reset().find()) {
            throw new IllegalStateException("no heap use in jcmd GC.heap_info:\n" + info);
        }
        return used;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    /** A {@code kB} field of {@code /proc/PID/status}. */
    private static long status(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith(field + ":"))
                .mapToLong(line -> Long.parseLong(
                        line.substring(field.length() + 1).replace("kB", "").trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + field + " in /proc/" + pid + "/status"));
    }
}
