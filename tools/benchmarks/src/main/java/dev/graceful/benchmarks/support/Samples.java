package dev.graceful.benchmarks.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A group's raw results: one CSV line per measured sample, appended as soon as it is taken (so a
 * run that breaks half-way keeps what it measured), and read back to build the report. Values are
 * plain words and numbers; an absent value is empty.
 */
public final class Samples {

    private final Path file;
    private final List<String> columns;

    private Samples(Path file, List<String> columns) {
        this.file = file;
        this.columns = columns;
    }

    /**
     * Starts a file with its header line.
     *
     * @param file    the CSV file
     * @param columns the column names
     * @return the writer
     */
    public static Samples create(Path file, List<String> columns) {
        try {
            Files.writeString(file, String.join(",", columns) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Samples(file, List.copyOf(columns));
    }

    /**
     * Appends one sample.
     *
     * @param row a value for every column (missing ones are written empty)
     */
    public void add(Map<String, ?> row) {
        StringBuilder sb = new StringBuilder();
        for (String c : columns) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            Object v = row.get(c);
            String text = v == null ? "" : v instanceof Double d ? (d.isNaN() ? "" : String.format(java.util.Locale.ROOT, "%.3f", d))
                    : v.toString();
            if (text.contains(",") || text.contains("\n")) {
                throw new IllegalArgumentException("column " + c + ": a value may not hold ',' or a newline, was '" + text + "'");
            }
            sb.append(text);
        }
        sb.append('\n');
        try {
            Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a file written by {@link #add}.
     *
     * @param file the CSV file
     * @return its rows, each a map from column to value (empty values left out)
     * @throws IOException when it cannot be read
     */
    public static List<Map<String, String>> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty: no header line");
        }
        String[] header = lines.get(0).split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] v = line.split(",", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length && i < v.length; i++) {
                if (!v[i].isEmpty()) {
                    row.put(header[i], v[i]);
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /**
     * A number of a row.
     *
     * @param row    the row
     * @param column the column
     * @return its value, or NaN when absent
     */
    public static double number(Map<String, String> row, String column) {
        String v = row.get(column);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    /**
     * The 1-minute load average, recorded with every sample: this machine is shared.
     *
     * @return it, or empty when it cannot be read
     */
    public static String load1() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
