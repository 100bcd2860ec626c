package dev.minnow.engine.io.onnx;

import java.util.Arrays;

/**
 * The values of a repeated numeric protobuf field, collected as 64-bit words (varints as they
 * are, floats and doubles as their raw bits). Grows by doubling; since every value consumed at
 * least one byte of input, its size is bounded by the size of the file.
 */
public final class RepeatedNumbers {
    private long[] values = new long[8];
    private int size;

    public void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = v;
    }

    /** Makes room for {@code more} values (the caller has checked they are present in the input). */
    void reserve(int more) {
        if (values.length - size < more) {
            values = Arrays.copyOf(values, size + more);
        }
    }

    public int size() {
        return size;
    }

    public long get(int i) {
        if (i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " of " + size + " values");
        }
        return values[i];
    }

    public long[] toLongs() {
        return Arrays.copyOf(values, size);
    }

    /** The values read as raw float bits (fixed32). */
    public float[] toFloats() {
        float[] r = new float[size];
        for (int i = 0; i < size; i++) {
            r[i] = Float.intBitsToFloat((int) values[i]);
        }
        return r;
    }
}
