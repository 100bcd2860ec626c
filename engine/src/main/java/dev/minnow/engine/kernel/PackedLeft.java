package dev.minnow.engine.kernel;

/**
 * A constant left operand {@code A [m x k]} (a layer's weights) prepared once for repeated
 * products with {@link Gemm#sgemmPacked}: the vector kernels store it already cut into the
 * register-tile panels their inner loop reads, so an inference pays for packing the weights
 * once, when the plan is made, instead of on every call (and on every thread). Created by
 * {@link SimdKernels#packLeft}; its layout belongs to the implementation that made it.
 *
 * <p>The scalar kernels read A in place, so for them this only records where A is: the weights
 * must then not change while the packed operand is in use (inference plans treat initializers as
 * constants, so they do not).
 */
public final class PackedLeft {
    final SimdKernels owner;
    final int m;
    final int k;
    final float[] data;
    final int offset;
    final int ld;
    final int[] blockOffsets;

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

    /** Floats held (the copy made by packing; 0 when A is read in place). */
    public long footprint() {
        return blockOffsets == null ? 0 : data.length;
    }
}
