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
 * A group's raw results: one CSV line per measured sample, appended as soon as it is taken (so a
 * run that breaks half-way keeps what it measured), and read back to build the report. Values are
 * plain words and numbers; an absent value is empty.
 */
public record Samples(Path file, List<String> columns) {

    /** Starts a file with its header line. */
    public static Samples create(Path file, List<String> columns) throws IOException {
        Files.writeString(file, String.join(",", columns) + "\n", StandardCharsets.UTF_8);
        return new Samples(file, List.copyOf(columns));
    }

    public void add(Map<String, ?> row) throws IOException {
        List<String> values = new ArrayList<>();
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
        }
        Files.writeString(file, String.join(",", values) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Reads a file written by {@link #add}: a map from column to value per row, empty values left out. */
    public static List<Map<String, String>> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty: no header line");
        }
        String[] header = lines.get(0).split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split(",", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length && i < v.length; i++) {
                if (!v[i].isEmpty()) {
                    row.put(header[i], v[i]);
                }
            }
            if (!line.isBlank()) {
                rows.add(row);
            }
        }
        return rows;
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
