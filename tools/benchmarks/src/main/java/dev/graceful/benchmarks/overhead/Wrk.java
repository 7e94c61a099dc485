package dev.graceful.benchmarks.overhead;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code wrk --latency} run, read from its text (wrk 4.x has no machine format without a Lua script).
 * Latencies in ms; {@code errors}: socket errors and non-2xx/3xx answers.
 */
public record Wrk(double requestsPerSecond, double p50Ms, double p99Ms, long requests, long errors) {

    private static final Pattern RPS = Pattern.compile("^Requests/sec:\\s+([0-9.]+)", Pattern.MULTILINE);
    private static final Pattern REQUESTS = Pattern.compile("^\\s*(\\d+) requests in ", Pattern.MULTILINE);
    private static final Pattern SOCKET =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    public static Wrk parse(String output) {
        double rps = Double.parseDouble(find(RPS, output, "'Requests/sec' line").group(1));
        long requests =
                Long.parseLong(find(REQUESTS, output, "'N requests in' line").group(1));
        long errors = 0;
        for (Matcher m : List.of(SOCKET.matcher(output), NON_2XX.matcher(output))) {
            int groups = m.find() ? m.groupCount() : 0;
            for (int i = 1; i <= groups; i++) {
                errors += Long.parseLong(m.group(i));
            }
        }
        return new Wrk(rps, percentile(output, "50%"), percentile(output, "99%"), requests, errors);
    }

    private static double percentile(String output, String which) {
        Matcher m = find(
                Pattern.compile("^\\s+" + which + "\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE),
                output,
                which + " latency line (was --latency given?)");
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    private static Matcher find(Pattern p, String output, String what) {
        Matcher m = p.matcher(output);
        if (!m.find()) {
            throw new IllegalArgumentException("no " + what + " in wrk's output:\n" + output);
        }
        return m;
    }
}
