package dev.graceful.benchmarks.overhead;

import dev.graceful.benchmarks.support.BenchRun;
import dev.graceful.benchmarks.support.Child;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * One round of {@code --together}: in each slice both sides of a pair (one process for Tomcat and Jetty,
 * two for Netty) are loaded at the same moment, each by its own {@code wrk} with half the connections, and
 * each side's cost is its own connector's (Netty: event loops') CPU time ({@link SideThreads}) over the
 * requests its wrk counted. Taken in turn, a slice
 * of one side and the next of the other see different moments of the machine, and on this project's VM
 * a 3 s slice moves by ±5-20 % from the next; at the same moment, a slowdown of the core falls on both
 * sides' requests alike, interleaved request by request. Their throughputs are not compared: sharing one
 * core with the same number of connections each, the two sides are answered in turn, so each side's
 * throughput follows its connections, not its cost.
 */
final class TogetherRound {

    private TogetherRound() {}

    /**
     * Warms both sides up at once, as they are measured: warmed in turn, whichever side went first came out
     * 0.2-0.5 µs per request cheaper or dearer than the other in the control's forks, by the order alone.
     */
    static void warmUp(BenchRun run, String app, int fork, Map<String, Child> servers, int seconds, int connections)
            throws IOException, InterruptedException {
        Map<String, Wrk> warm = atOnce(
                run,
                servers,
                BenchRun.inTurn(fork, OverheadBench.VARIANTS),
                seconds,
                connections,
                v -> String.format(Locale.ROOT, "%s-%s-fork%d-warmup.txt", app, v, fork));
        warm.forEach((variant, w) -> System.out.printf(
                Locale.ROOT,
                "%-11s %-8s fork %d warm-up, together: %.0f req/s%n",
                app,
                variant,
                fork,
                w.requestsPerSecond()));
    }

    /**
     * @param oneProcess whether both sides are one JVM (else each its own: {@link SideThreads#TWO_PROCESS_APPS})
     * @param swapped whether graceful's side is on the second connector (Tomcat: its threads named for port 0)
     */
    static void measure(
            BenchRun run,
            String app,
            int r,
            int fork,
            Map<String, Child> servers,
            OverheadBench.Slices slices,
            boolean oneProcess,
            boolean swapped)
            throws IOException, InterruptedException {
        Map<String, SideThreads> threads = SideThreads.of(app, servers, oneProcess, swapped);
        Map<String, DescriptiveStatistics[]> round = new LinkedHashMap<>();
        Map<String, Object> load = BenchRun.row(r, app);
        load.put("together", "yes");
        load.put("swapped", swapped ? "yes" : "no");
        for (int slice = 1; slice <= slices.count(); slice++) {
            List<String> order = BenchRun.inTurn(r + slice, OverheadBench.VARIANTS);
            Map<String, Long> before = new LinkedHashMap<>();
            order.forEach(v -> before.put(v, threads.get(v).cpuNanos()));
            int s = slice;
            Map<String, Wrk> results = atOnce(
                    run,
                    servers,
                    order,
                    slices.seconds(),
                    slices.connections(),
                    v -> String.format(Locale.ROOT, "%s-%s-round%d-%d.txt", app, v, r, s));
            for (String variant : order) { // both loads over: neither side's time runs on into the other's
                long cpu = threads.get(variant).cpuNanos() - before.get(variant);
                OverheadBench.add(round, load, variant, results.get(variant), cpu);
            }
        }
        OverheadBench.sample(run, load, fork, round);
    }

    /** Loads the sides at once, each by its own wrk with half of {@code connections}, started in {@code order}. */
    private static Map<String, Wrk> atOnce(
            BenchRun run,
            Map<String, Child> servers,
            List<String> order,
            int seconds,
            int connections,
            Function<String, String> logName)
            throws IOException, InterruptedException {
        Map<String, Process> wrks = new LinkedHashMap<>();
        try {
            for (String variant : order) {
                String[] command = OverheadBench.wrkCommand(
                        run,
                        seconds,
                        Math.max(1, connections / 2),
                        servers.get(variant).port());
                wrks.put(
                        variant,
                        new ProcessBuilder(command).redirectErrorStream(true).start());
            }
            Map<String, Wrk> results = new LinkedHashMap<>();
            for (String variant : order) {
                Process p = wrks.get(variant);
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() != 0) {
                    throw new IllegalStateException(
                            "wrk (" + variant + ") exited with " + p.exitValue() + ":\n" + output);
                }
                Files.writeString(run.log(logName.apply(variant)), output, StandardCharsets.UTF_8);
                results.put(variant, Wrk.parse(output));
            }
            return results;
        } finally {
            wrks.values().forEach(Process::destroy);
        }
    }
}
