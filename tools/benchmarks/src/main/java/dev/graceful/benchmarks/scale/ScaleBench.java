package dev.graceful.benchmarks.scale;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Group 4: drain at scale. For each example, size and round, a fresh process of the example's own
 * jar (graceful, drain timeout 60 s, no readiness delay); one thread of this JVM opens N
 * connections ({@link HeldRequests}) and sends {@code GET /work?ms=...} on each so that all are due
 * at the same moment, a few seconds ahead; once the server has accepted every connection, this
 * JVM measures the server's live heap (a full GC, then its heap use, through {@code jcmd}) and its
 * resident set, sends SIGTERM while all N are held, and reads every response. Measured: how many
 * were answered 200 (must be all), how long after their due time the last one arrived (the time to
 * answer N at once), the time from that last response to the process's exit, SIGTERM to graceful's
 * {@code Drained in} line, and memory held per in-flight request. Each sample is one CSV line of
 * {@code samples.csv}; {@link ScaleReport} turns the file into the report.
 */
public final class ScaleBench {

    /** The examples that can be measured: those with an asynchronous {@code /work} that holds no thread. */
    static final List<String> APPS = List.of("netty", "jetty");
    /**
     * The examples measured by default. Jetty is left out: the example keeps Jetty's default accept
     * queue (50), which overflows under this client's burst of connects whenever Jetty's acceptor
     * falls behind, and each overflowed connect is retried a second later; opening thousands then
     * takes longer than the 15 s the connections may wait (see {@link #MAX_CONNECT_SECONDS}).
     * {@code --apps jetty} runs it.
     */
    static final List<String> DEFAULT_APPS = List.of("netty");
    /** The CSV columns; times in ms. */
    static final List<String> COLUMNS = List.of("round", "app", "n", "ok", "failures", "connect_ms", "due_after_term_ms",
            "first_after_due_ms", "last_after_due_ms", "last_to_exit_ms", "drained_ms", "exit_ms", "exit_code",
            "heap_idle_kb", "heap_held_kb", "rss_idle_kb", "rss_held_kb", "hwm_kb", "load1");

    /**
     * How long opening the N connections may take. The first connection waits, with no request,
     * until the last is open, and servers close connections idle for longer than their idle timeout
     * (Jetty's default: 30 s): such a request would fail for the
     * benchmark's sake, not the drain's.
     */
    private static final int MAX_CONNECT_SECONDS = 15;
    /**
     * A heap's (or generation's) line of {@code GC.heap_info}: {@code total 262144K, used 20480K}
     * up to Java 21, {@code total reserved 6172672K, committed 28672K, used 4428K} from Java 25 on;
     * Metaspace's line has no {@code total}.
     */
    private static final Pattern HEAP_USED = Pattern.compile("total [^\\n]*?used (\\d+)K");

    private ScaleBench() {
    }

    /**
     * Runs the group.
     *
     * @param args {@code --repo DIR --jar FILE --java FILE --out DIR [--rounds N] [--apps a,b]
     *             [--sizes n1,n2,...] [--jvm-opts "..."] [--smoke]}
     * @throws Exception when a measurement cannot be made
     */
    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        Launch launch = Launch.from(a);
        Path out = a.path("out");
        boolean smoke = a.smoke();
        int rounds = a.positive("rounds", smoke ? 1 : 3);
        List<String> apps = a.list("apps", DEFAULT_APPS, APPS);
        List<Integer> sizes = sizes(a.text("sizes", smoke ? "50" : "1000,2500,5000,10000"));
        Path jcmd = Path.of(launch.java()).getParent() == null ? Path.of("jcmd") : Path.of(launch.java()).resolveSibling("jcmd");

        Files.createDirectories(out.resolve("logs"));
        Samples samples = Samples.create(out.resolve("samples.csv"), COLUMNS);
        for (int r = 1; r <= rounds; r++) {
            for (String app : apps) {
                for (int n : sizes) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("round", r);
                    row.put("app", app);
                    row.put("n", n);
                    row.put("load1", Samples.load1());
                    List<String> command = launch.command(app, "graceful", true, "60s");
                    Path log = out.resolve("logs").resolve(String.format(Locale.ROOT, "r%d-%s-%d.log", r, app, n));
                    measure(command, jcmd, log, n, row);
                    samples.add(row);
                    System.out.printf(Locale.ROOT, "round %d %-6s N=%-6d answered %s/%d %s last response %.1f ms after due,"
                                    + " -> exit %.1f ms; heap +%.0f KiB; load %s%n", r, app, n, row.get("ok"), n,
                            row.get("failures"), row.get("last_after_due_ms"), row.get("last_to_exit_ms"),
                            ((Number) row.get("heap_held_kb")).doubleValue() - ((Number) row.get("heap_idle_kb")).doubleValue(),
                            row.get("load1"));
                }
            }
        }
        Files.writeString(out.resolve("table.md"), ScaleReport.render(Samples.read(out.resolve("samples.csv"))));
    }

    private static void measure(List<String> template, Path jcmd, Path log, int n, Map<String, Object> row)
            throws Exception {
        int port = Net.freePort();
        try (Child child = Child.start(Launch.withPort(template, port), Map.of(), log)) {
            Net.awaitOk(child, port, "/", 120, TimeUnit.SECONDS);
            Net.warmUp(port);
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
                    throw new IllegalStateException("SIGTERM came only " + ms(due - term) + " ms before the requests were due:"
                            + " they may not all have been in flight; the set-up of N=" + n + " took too long on this machine");
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
            Process p = new ProcessBuilder("ss", "-Hltn", "sport = :" + port).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            String[] f = out.split("\\s+");
            if (f.length >= 2 && f[1].equals("0")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("port " + port + ": connections still waiting to be accepted after "
                        + seconds + " s: " + out);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** The heap in use right after a full GC: what the process holds live. */
    private static long liveHeapKb(Path jcmd, long pid) throws IOException, InterruptedException {
        run(jcmd.toString(), Long.toString(pid), "GC.run");
        String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        long used = 0;
        boolean found = false;
        while (m.find()) {
            used += Long.parseLong(m.group(1));
            found = true;
        }
        if (!found) {
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
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/" + pid + "/status");
    }

    private static List<Integer> sizes(String text) {
        List<Integer> out = new ArrayList<>();
        for (String s : text.split(",")) {
            try {
                int n = Integer.parseInt(s.trim());
                if (n > 0) {
                    out.add(n);
                    continue;
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new IllegalArgumentException("--sizes takes positive whole numbers separated by commas, was '" + text + "'");
        }
        return out;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
