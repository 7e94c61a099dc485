package dev.graceful.benchmarks.overhead;

import dev.graceful.benchmarks.support.BenchRun;
import dev.graceful.benchmarks.support.Child;
import dev.graceful.benchmarks.support.Rows;
import dev.graceful.benchmarks.support.Samples;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import joptsimple.OptionParser;
import joptsimple.OptionSet;

/**
 * Where a server's time per request goes under group 2's load, as {@code bin/run-profile} runs it:
 * each example with graceful, pinned as in group 2, under {@code wrk}, with JFR's {@code profile}
 * settings recording a window of the load. A CPU sample is charged to graceful when, walking its
 * stack from the top, a frame of graceful's library comes before any hand-off to the server or the
 * application (a pipeline, filter-chain or next-valve call): graceful's own code and what it called itself.
 */
public final class ProfileBench {

    static final List<String> COLUMNS = List.of("app", "rps", "samples", "charged", "share_pct", "top", "load1");

    /**
     * Frames through which graceful hands a request on: what runs above them is not graceful's. On
     * Tomcat the valve's next valve is the context's authenticator when it has one, else its basic valve;
     * on Jetty the handler's next handler is called through {@code Handler.Wrapper.handle}.
     */
    static final Pattern HAND_OFF = Pattern.compile("^(io\\.netty\\.channel\\.(AbstractChannelHandlerContext"
            + "|DefaultChannelPipeline)|org\\.apache\\.catalina\\.core\\.(ApplicationFilterChain|StandardContextValve)"
            + "|org\\.apache\\.catalina\\.authenticator\\.AuthenticatorBase"
            + "|org\\.eclipse\\.jetty\\.ee11\\.servlet\\.(ServletHandler\\$Chain|FilterHolder)"
            + "|org\\.eclipse\\.jetty\\.server\\.Handler\\$Wrapper"
            + "|org\\.springframework\\.web\\.filter\\.|org\\.springframework\\.web\\.server\\.handler\\.DefaultWebFilterChain)"
            + ".*");

    private ProfileBench() {}

    public static void main(String[] args) throws Exception {
        OptionParser parser = BenchRun.parser("warmup-seconds", "record-seconds", "connections");
        parser.accepts("server-cpus").withRequiredArg().defaultsTo("0");
        parser.accepts("client-cpus").withRequiredArg().defaultsTo("1");
        parser.accepts("wrk").withRequiredArg().defaultsTo("wrk");
        parser.accepts("sample-period").withRequiredArg();
        // Recordings made elsewhere (JFR inside JMH: docs/BENCHMARKS.md, adapter paths), charged by the
        // same rule, with nothing run.
        parser.accepts("charge").withRequiredArg().withValuesSeparatedBy(',');
        OptionSet options = parser.parse(args);
        if (options.has("charge")) {
            System.out.print(renderCharged(options.valuesOf("charge").stream()
                    .map(f -> Path.of((String) f))
                    .toList()));
            return;
        }
        // JFR samples a thread only while it runs Java code, and Netty's event loops spend most of their
        // time in system calls: at the profile settings' 10 ms a smoke's 8 s took some 170 samples, 1 to 8
        // of them graceful's, and none in one CI run. At 1 ms it takes some 700, 20 to 30 of them graceful's.
        String period = options.has("sample-period")
                ? (String) options.valueOf("sample-period")
                : options.has("smoke") ? "1ms" : "10ms";
        if (!period.matches("[1-9][0-9]*(ms|s)")) {
            throw new IllegalArgumentException("--sample-period takes a JFR period such as 1ms or 10ms, was " + period);
        }
        BenchRun run = BenchRun.start(options, COLUMNS, 1, BenchRun.LOADED_APPS, BenchRun.APPS, List.of("netty"));
        int warmup = run.number("warmup-seconds", run.smoke() ? 3 : 20);
        int record = run.number("record-seconds", run.smoke() ? 8 : 30);
        int connections = run.number("connections", 32);
        for (String app : run.apps()) {
            Path jfr = run.out().resolve(app + ".jfr");
            List<String> command = new ArrayList<>(run.command(app, "graceful", false, "5s"));
            command.add(
                    1,
                    "-XX:StartFlightRecording=delay=" + warmup + "s,duration=" + record
                            + "s,settings=profile,jdk.ExecutionSample#period=" + period + ",filename=" + jfr);
            Wrk w;
            try (Child child = Child.start(OverheadBench.onServerCpus(run), command, run.log(app + ".log"))) {
                // The load covers the warm-up, the window and a margin: JFR writes the file at the window's end.
                w = OverheadBench.wrk(run, warmup + record + 3, connections, child.port(), run.log(app + "-wrk.txt"));
                child.jvm().signal("TERM");
                child.jvm().awaitExit(Duration.ofMinutes(1));
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("app", app);
            row.put("rps", w.requestsPerSecond());
            row.putAll(charge(jfr));
            row.put("load1", Samples.load(1));
            run.sample(row);
        }
        run.finish(rows -> render(rows, period));
    }

    /** The recording's CPU samples, those charged to graceful, and graceful's four most sampled frames. */
    static Map<String, Object> charge(Path jfr) throws IOException {
        return charge(jfr, 4);
    }

    /** {@link #charge(Path)} with graceful's {@code frames} most sampled frames. */
    static Map<String, Object> charge(Path jfr, int frames) throws IOException {
        long samples = 0;
        Map<String, Long> where = new LinkedHashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            samples++;
            String frame = chargedFrame(e.getStackTrace().getFrames());
            if (frame != null) {
                where.merge(frame, 1L, Long::sum);
            }
        }
        long charged = where.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("samples", samples);
        row.put("charged", charged);
        row.put("share_pct", samples == 0 ? Double.NaN : 100.0 * charged / samples);
        row.put(
                "top",
                where.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                        .limit(frames)
                        .map(en -> en.getKey() + " " + en.getValue())
                        .collect(Collectors.joining("; ")));
        return row;
    }

    /** graceful's frame this sample is charged to, or {@code null} when it is not graceful's. */
    static String chargedFrame(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("dev.graceful.")
                    && !type.startsWith("dev.graceful.examples.")
                    && !type.startsWith("dev.graceful.benchmarks.")) {
                return type.substring(type.lastIndexOf('.') + 1) + "."
                        + f.getMethod().getName();
            }
            if (HAND_OFF.matcher(type).matches()) {
                return null;
            }
        }
        return null;
    }

    /** {@code --charge}: each recording's samples, charged by {@link #chargedFrame}, one line each. */
    static String renderCharged(List<Path> recordings) throws IOException {
        StringBuilder sb = new StringBuilder(
                "| recording | CPU samples | charged to graceful | share | graceful's most sampled frames |\n"
                        + "|---|---:|---:|---:|---|\n");
        for (Path jfr : recordings) {
            Map<String, Object> c = charge(jfr, 10);
            sb.append(Rows.line(
                    jfr.getFileName().toString(),
                    String.valueOf(c.get("samples")),
                    String.valueOf(c.get("charged")),
                    String.format(Locale.ROOT, "%.1f %%", (Double) c.get("share_pct")),
                    (String) c.get("top")));
        }
        return sb.toString();
    }

    static String render(List<Map<String, String>> rows, String period) {
        StringBuilder sb = new StringBuilder(
                "| example | req/s (under JFR) | CPU samples | charged to graceful | share | graceful's most sampled"
                        + " frames |\n|---|---:|---:|---:|---:|---|\n");
        for (Map<String, String> r : rows) {
            sb.append(Rows.line(
                    r.get("app"),
                    String.format(Locale.ROOT, "%.0f", Double.parseDouble(r.get("rps"))),
                    r.get("samples"),
                    r.get("charged"),
                    r.get("share_pct").isEmpty()
                            ? "n/a"
                            : String.format(Locale.ROOT, "%.1f %%", Double.parseDouble(r.get("share_pct"))),
                    r.get("top")));
        }
        return sb.append("\nJFR sampled each thread running Java code every ")
                .append(period)
                .append(".\n")
                .append(Rows.loadRange(rows))
                .toString();
    }
}
