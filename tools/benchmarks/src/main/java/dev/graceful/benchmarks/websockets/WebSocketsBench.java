package dev.graceful.benchmarks.websockets;

import static dev.graceful.benchmarks.support.BenchRun.ms;

import dev.graceful.benchmarks.support.BenchRun;
import dev.graceful.benchmarks.support.Child;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import joptsimple.OptionParser;

/**
 * Group 6, long-lived connections, as {@code bin/run-websockets} runs it (its header: options, output); method and
 * report: {@code docs/BENCHMARKS.md}. The N WebSockets are held by {@link WebSocketClients}; the report is
 * {@link WebSocketsReport}.
 */
public final class WebSocketsBench {

    /** The examples measured: Netty, and one servlet container. */
    static final List<String> APPS = List.of("netty", "jetty");
    /** With graceful (the example's own jar), and the baseline: the same server without it ({@code ServerApp}). */
    static final List<String> VARIANTS = List.of("graceful", "plain");
    /** Times in ms; the SIGTERM ones from the end of the readiness delay (plain: from SIGTERM, it has none). */
    static final List<String> COLUMNS =
            List.of(("round,app,variant,n,opened,failures,open_ms,heap_idle_kb,heap_open_kb,"
                            + "rss_idle_kb,rss_open_kb,hwm_kb,echoed,delay_end_ms,delay_end_from,first_close_ms,last_close_ms,"
                            + "last_answer_ms,last_tcp_close_ms,exit_ms,exit_code,close_codes,closed_1001,load1")
                    .split(","));
    /** The file descriptors a process needs besides the connections: class path, logs, epoll, pipes. */
    static final int FD_MARGIN = 1024;
    /** A connection opens and echoes in milliseconds; this bounds a stuck server, not a slow one. */
    private static final Duration OPEN_WITHIN = Duration.ofSeconds(180);

    private WebSocketsBench() {}

    public static void main(String[] args) throws Exception {
        OptionParser parser = BenchRun.parser("connections", "readiness-delay-ms", "source-addresses", "event-loops");
        parser.accepts("histograms"); // where graceful's bytes go: jcmd GC.class_histogram with all open
        BenchRun run = BenchRun.start(parser.parse(args), COLUMNS, 3, APPS, APPS, List.of("netty"));
        int n = run.number("connections", run.smoke() ? 200 : 10_000);
        int delayMs = run.number("readiness-delay-ms", 2000);
        int perSource = WebSocketClients.CONNECTIONS_PER_SOURCE_ADDRESS;
        int sources = run.number("source-addresses", (n + perSource - 1) / perSource);
        int loops = run.number("event-loops", 2);
        requireOpenFiles(n + FD_MARGIN);
        Setup setup =
                new Setup(n, delayMs, sources, loops, run.jcmd(), run.options().has("histograms"));
        for (int r = 1; r <= run.rounds(); r++) {
            for (String app : run.apps()) {
                for (String variant : BenchRun.inTurn(r, VARIANTS)) {
                    Map<String, Object> row = BenchRun.row(r, app);
                    row.put("variant", variant);
                    row.put("n", n);
                    Path log = run.log(String.format(Locale.ROOT, "r%d-%s-%s.log", r, app, variant));
                    measure(run.command(app, variant, true, "30s", delayMs + "ms"), log, setup, row);
                    run.sample(row);
                }
            }
        }
        run.finish(rows -> WebSocketsReport.render(rows, delayMs));
    }

    private record Setup(int n, int delayMs, int sources, int loops, String jcmd, boolean histograms) {}

    private static void measure(List<String> template, Path log, Setup s, Map<String, Object> row) throws Exception {
        boolean graceful = row.get("variant").equals("graceful");
        try (Child child = Child.start(List.of(), template, log)) {
            child.warmUp();
            // The WebSocket path's classes and first buffers, before the idle heap: 20 opened, echoed, closed.
            try (WebSocketClients warm = WebSocketClients.open(child.port(), 20, 1, 1, OPEN_WITHIN)) {
                warm.echoAll(Duration.ofSeconds(10));
            }
            row.put("heap_idle_kb", child.liveHeapKb(s.jcmd()));
            row.put("rss_idle_kb", child.statusKb("VmRSS"));
            long openStart = System.nanoTime();
            try (WebSocketClients clients =
                    WebSocketClients.open(child.port(), s.n(), s.sources(), s.loops(), OPEN_WITHIN)) {
                row.put("open_ms", ms(System.nanoTime() - openStart));
                row.put("opened", clients.open());
                row.put("failures", clients.failures());
                row.put("heap_open_kb", child.liveHeapKb(s.jcmd()));
                row.put("rss_open_kb", child.statusKb("VmRSS"));
                row.put("hwm_kb", child.statusKb("VmHWM"));
                if (s.histograms()) {
                    String histogram =
                            BenchRun.run(s.jcmd(), Long.toString(child.jvm().pid()), "GC.class_histogram");
                    Files.writeString(Path.of(log.toString().replace(".log", "-histogram.txt")), histogram);
                }
                // Every one still open and echoing right before SIGTERM (this also restarts servers' idle timers).
                row.put("echoed", clients.echoAll(Duration.ofSeconds(60)));

                long term = child.jvm().signal("TERM");
                clients.awaitAllClosed(Duration.ofSeconds(45));
                int exitCode = child.jvm().awaitExit(Duration.ofMinutes(2));
                long exit = child.jvm().exitedAtNanos();
                // graceful: the end of the readiness delay, from its log line (else assumed SIGTERM + D).
                Double logged = graceful ? child.loggedAfter(term, "Stopped accepting new connections") : null;
                double fromTerm = logged != null ? logged : graceful ? s.delayMs() : 0;
                long from = term + TimeUnit.MICROSECONDS.toNanos(Math.round(fromTerm * 1000));
                row.put("delay_end_ms", fromTerm);
                row.put("delay_end_from", logged != null ? "log" : graceful ? "assumed" : "sigterm");
                row.put("first_close_ms", since(from, clients.time(WebSocketConnection::closeReceivedAtNanos, true)));
                row.put("last_close_ms", since(from, clients, WebSocketConnection::closeReceivedAtNanos));
                row.put("last_answer_ms", since(from, clients, WebSocketConnection::answeredAtNanos));
                row.put("last_tcp_close_ms", since(from, clients, WebSocketConnection::closedAtNanos));
                row.put("exit_ms", ms(exit - from));
                row.put("exit_code", exitCode);
                row.put("close_codes", clients.closeCodes());
                row.put("closed_1001", clients.closedWith(1001));
            }
        }
    }

    private static Double since(long from, WebSocketClients clients, ToLongFunction<WebSocketConnection> f) {
        return since(from, clients.time(f, false));
    }

    private static Double since(long from, long at) {
        return at == 0 ? null : ms(at - from);
    }

    /** Fails, saying what to do, unless this process may open {@code needed} files (the server inherits the limit). */
    static void requireOpenFiles(int needed) throws IOException {
        long soft = Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max open files"))
                .map(l -> l.trim().split("\\s+")[3])
                .mapToLong(v -> v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v))
                .findFirst()
                .orElse(Long.MAX_VALUE);
        if (soft < needed) {
            throw new IllegalStateException("this needs " + needed + " open files per process (the connections plus "
                    + FD_MARGIN + "), but the limit is " + soft + ": raise it (ulimit -n " + needed
                    + ", which bin/run-websockets tries) or lower --connections");
        }
    }
}
