package dev.graceful.benchmarks.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A group's raw results: one CSV line per sample, appended at once (a run that breaks keeps what it measured), and
 * kept as {@code rows} for the report: column to value as written, empty values left out.
 */
public record Samples(Path file, List<String> columns, List<Map<String, String>> rows) {

    public static Samples create(Path file, List<String> columns) throws IOException {
        Files.writeString(file, String.join(",", columns) + "\n", StandardCharsets.UTF_8);
        return new Samples(file, List.copyOf(columns), new ArrayList<>());
    }

    /** The rows of a samples file written by {@link #add}, as {@link #rows} holds them. */
    public static List<Map<String, String>> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty: a samples file starts with its columns");
        }
        List<String> columns = List.of(lines.get(0).split(",", -1));
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] values = lines.get(i).split(",", -1);
            if (values.length != columns.size()) {
                throw new IllegalArgumentException(file + ", line " + (i + 1) + ": " + values.length + " values for "
                        + columns.size() + " columns");
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < values.length; c++) {
                if (!values[c].isEmpty()) {
                    row.put(columns.get(c), values[c]);
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /**
     * The rows of several samples files of the same kind of run, as one run: each file's rounds and forks
     * are numbered on after the previous file's, so that its rounds pair only among themselves and its forks
     * stay forks of their own.
     */
    public static List<Map<String, String>> readAll(List<Path> files) throws IOException {
        List<Map<String, String>> all = new ArrayList<>();
        Map<String, Integer> offsets = new LinkedHashMap<>(Map.of("round", 0, "fork", 0));
        for (Path file : files) {
            List<Map<String, String>> rows = read(file);
            Map<String, Integer> highest = new LinkedHashMap<>();
            for (Map<String, String> row : rows) {
                for (Map.Entry<String, Integer> o : offsets.entrySet()) {
                    String v = row.get(o.getKey());
                    if (v != null) {
                        int n = Integer.parseInt(v);
                        highest.merge(o.getKey(), n, Math::max);
                        row.put(o.getKey(), Integer.toString(n + o.getValue()));
                    }
                }
                all.add(row);
            }
            highest.forEach((column, n) -> offsets.merge(column, n, Integer::sum));
        }
        return all;
    }

    public void add(Map<String, ?> row) throws IOException {
        List<String> values = new ArrayList<>();
        Map<String, String> kept = new LinkedHashMap<>();
        for (String c : columns) {
            Object v = row.get(c);
            String text = v == null || v instanceof Double d && d.isNaN()
                    ? ""
                    : v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : v.toString();
            if (text.contains(",") || text.contains("\n")) {
                throw new IllegalArgumentException(
                        "column " + c + ": a value may not hold ',' or a newline, was '" + text + "'");
            }
            values.add(text);
            if (!text.isEmpty()) {
                kept.put(c, text);
            }
        }
        Files.writeString(file, String.join(",", values) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        rows.add(kept);
    }

    /** A number of a row; NaN when absent. */
    public static double number(Map<String, String> row, String column) {
        String v = row.get(column);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    /** The first {@code n} of the 1-, 5- and 15-minute load averages: this machine is shared. */
    public static String load(int n) {
        try {
            return String.join(
                    " ",
                    List.of(Files.readString(Path.of("/proc/loadavg")).split(" "))
                            .subList(0, n));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
