package dev.graceful.loadgen.internal;

import java.util.Arrays;

/** A growable {@code long[]}, so that recording a latency does not box. */
public final class LongList {

    private long[] values = new long[1024];
    private int size;

    /**
     * Appends a value.
     *
     * @param v the value
     */
    public void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    /**
     * The values added so far.
     *
     * @return a copy
     */
    public long[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
