package dev.graceful.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One benchmark's entry in a JMH JSON result file, reduced to what the reports need.
 *
 * @param source                where it was read from (pairs samples taken in the same run)
 * @param benchmark             the fully qualified benchmark method, with parameters if any
 * @param mode                  JMH's mode ({@code avgt}, {@code thrpt}, ...)
 * @param threads               the number of threads that ran it
 * @param unit                  the primary score's unit ({@code ns/op}, ...)
 * @param jvm                   the JDK version and VM that ran it
 * @param iterations            measurement iterations and their time, as JMH wrote them
 * @param warmup                warm-up iterations and their time
 * @param scores                the primary score of every measurement iteration, per fork
 * @param allocation            {@code gc.alloc.rate.norm} (bytes per operation) per iteration, per
 *                              fork; empty when the run had no {@code -prof gc}
 */
record JmhResult(String source, String benchmark, String mode, int threads, String unit, String jvm,
        String iterations, String warmup, List<List<Double>> scores, List<List<Double>> allocation) {

    /** The secondary metric JMH's GC profiler writes for allocation per operation. */
    static final String ALLOCATION_METRIC = "gc.alloc.rate.norm";

    /**
     * The method name (with parameters), without the class.
     *
     * @return for {@code a.b.OneThread.longAdderPair}, {@code longAdderPair}
     */
    String method() {
        String plain = benchmark.contains("{") ? benchmark.substring(0, benchmark.indexOf('{')) : benchmark;
        return benchmark.substring(plain.lastIndexOf('.') + 1);
    }

    /**
     * Whether a larger score is better (throughput) rather than worse (time per operation).
     *
     * @return {@code true} for throughput modes
     */
    boolean higherIsBetter() {
        return "thrpt".equals(mode);
    }

    /**
     * Reads every entry of one JMH JSON result file.
     *
     * @param file the file JMH wrote with {@code -rf json -rff file}
     * @return its entries, in file order
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException naming the file, when it is not a JMH result file
     */
    static List<JmhResult> read(Path file) throws IOException {
        String source = file.toString();
        Object doc;
        try {
            doc = Json.parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        if (!(doc instanceof List)) {
            throw new IllegalArgumentException(source + ": not a JMH result file (expected a JSON array)");
        }
        List<JmhResult> results = new ArrayList<>();
        for (Object o : (List<?>) doc) {
            results.add(of(source, map(source, o, "benchmark entry")));
        }
        return results;
    }

    private static JmhResult of(String source, Map<?, ?> entry) {
        String benchmark = text(source, entry, "benchmark");
        if (entry.get("params") instanceof Map) {
            // Parameters make a different benchmark: keep them in the name, in a stable order.
            benchmark = benchmark + new TreeMap<>((Map<?, ?>) entry.get("params"));
        }
        Map<?, ?> primary = map(source, entry.get("primaryMetric"), benchmark + " primaryMetric");
        List<List<Double>> allocation = List.of();
        if (entry.get("secondaryMetrics") instanceof Map) {
            Object alloc = ((Map<?, ?>) entry.get("secondaryMetrics")).get(ALLOCATION_METRIC);
            if (alloc != null) {
                allocation = rawData(source, map(source, alloc, benchmark + " " + ALLOCATION_METRIC));
            }
        }
        String jvm = "Java " + text(source, entry, "jdkVersion") + " (" + text(source, entry, "vmName") + " "
                + text(source, entry, "vmVersion") + ")";
        return new JmhResult(source, benchmark, text(source, entry, "mode"),
                (int) number(source, entry, "threads"), text(source, primary, "scoreUnit"), jvm,
                (int) number(source, entry, "measurementIterations") + " x " + text(source, entry, "measurementTime"),
                (int) number(source, entry, "warmupIterations") + " x " + text(source, entry, "warmupTime"),
                rawData(source, primary), allocation);
    }

    private static List<List<Double>> rawData(String source, Map<?, ?> metric) {
        Object raw = metric.get("rawData");
        if (!(raw instanceof List)) {
            throw new IllegalArgumentException(source + ": a metric without rawData");
        }
        List<List<Double>> forks = new ArrayList<>();
        for (Object fork : (List<?>) raw) {
            if (!(fork instanceof List)) {
                throw new IllegalArgumentException(source + ": rawData is not a list of lists");
            }
            List<Double> iterations = new ArrayList<>();
            for (Object v : (List<?>) fork) {
                iterations.add(toDouble(source, v));
            }
            forks.add(List.copyOf(iterations));
        }
        return List.copyOf(forks);
    }

    private static double toDouble(String source, Object v) {
        if (v instanceof Double) {
            return (Double) v;
        }
        // JMH writes non-finite values as strings.
        if (v instanceof String) {
            try {
                return Double.parseDouble((String) v);
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException(source + ": not a number: " + v);
    }

    private static Map<?, ?> map(String source, Object o, String what) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(source + ": " + what + " is not a JSON object");
        }
        return (Map<?, ?>) o;
    }

    private static String text(String source, Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException(source + ": missing \"" + key + "\"");
        }
        return v instanceof Double && (Double) v == Math.rint((Double) v)
                ? String.valueOf(((Double) v).longValue()) : String.valueOf(v);
    }

    private static double number(String source, Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException(source + ": missing \"" + key + "\"");
        }
        return toDouble(source, v);
    }
}
