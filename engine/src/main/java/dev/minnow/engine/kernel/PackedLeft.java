package dev.minnow.engine.kernel;

import java.util.function.Function;

/**
 * A constant left operand {@code A [m x k]} (a layer's weights) prepared once for repeated
 * products with {@link Gemm#sgemmPacked}: the vector kernels store it already cut into the
 * register-tile panels their inner loop reads, so an inference pays for packing the weights
 * once, when the plan is made, instead of on every call (and on every thread). Created by
 * {@link SimdKernels#packLeft}; its layout belongs to the implementation that made it.
 *
 * <p>The scalar kernels read A in place, so for them this mostly records where A is, plus, the
 * first time a product with few columns needs it, a copy of A's columns ({@link #arrays}): the
 * weights must not change while the packed operand is in use (inference plans treat initializers
 * as constants, so they do not; training packs afresh on every step).
 */
public final class PackedLeft {
    final SimdKernels owner;
    final int m;
    final int k;
    final float[] data;
    final int offset;
    final int ld;
    final int[] blockOffsets;
    /** A second layout of A as separate arrays, made on first use ({@link #arrays}). */
    private volatile float[][] arrays;

    PackedLeft(SimdKernels owner, int m, int k, float[] data, int offset, int ld, int[] blockOffsets) {
        this.owner = owner;
        this.m = m;
        this.k = k;
        this.data = data;
        this.offset = offset;
        this.ld = ld;
        this.blockOffsets = blockOffsets;
    }

    /**
     * For {@link SimdKernels} implementations: a packed operand whose layout {@code owner} defines
     * ({@code blockOffsets} locates its blocks; null when A is read in place at
     * {@code data[offset + row * ld + col]}).
     */
    public static PackedLeft of(SimdKernels owner, int m, int k, float[] data, int offset, int ld, int[] blockOffsets) {
        return new PackedLeft(owner, m, k, data, offset, ld, blockOffsets);
    }

    /** The implementation that packed this operand. */
    public SimdKernels owner() {
        return owner;
    }

    /** For implementations: the packed (or original) values. */
    public float[] data() {
        return data;
    }

    /** For implementations: where A starts in {@link #data()} when read in place. */
    public int offset() {
        return offset;
    }

    /** For implementations: A's leading dimension when read in place. */
    public int leadingDimension() {
        return ld;
    }

    /** For implementations: the start of each packed block, or null. */
    public int[] blockOffsets() {
        return blockOffsets;
    }

    /** Rows of A. */
    public int rows() {
        return m;
    }

    /** Columns of A (the reduction length). */
    public int columns() {
        return k;
    }

    /**
     * For implementations: a second layout of A held as separate arrays, made by {@code make} the
     * first time it is asked for (once, even when several threads ask at once) and kept with this
     * operand. The scalar kernels keep A's columns this way for products with few columns.
     */
    public float[][] arrays(Function<PackedLeft, float[][]> make) {
        float[][] a = arrays;
        if (a == null) {
            synchronized (this) {
                a = arrays;
                if (a == null) {
                    a = make.apply(this);
                    arrays = a;
                }
            }
        }
        return a;
    }

    /** Floats held (the copies made by packing; 0 when A is read in place and nothing else was made). */
    public long footprint() {
        long held = blockOffsets == null ? 0 : data.length;
        float[][] a = arrays;
        if (a != null) {
            for (float[] row : a) {
                held += row.length;
            }
        }
        return held;
    }
}
