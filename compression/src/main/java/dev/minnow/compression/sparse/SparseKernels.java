package dev.minnow.compression.sparse;

/**
 * The inner loops of sparse inference, over a CSR matrix {@code A} given as its three arrays
 * ({@link CsrMatrix}), with two implementations: {@link ScalarSparseKernels} (plain Java) and
 * {@code dev.minnow.compression.sparse.vector.VectorSparseKernels} (the Vector API), chosen once
 * by {@link SparseKernelProvider} the way the engine chooses its dense kernels.
 *
 * <p>Single-threaded; the ops split the rows of A across threads. The reference both are tested
 * against is the dense product of the matrix {@link CsrMatrix#toDense} gives.
 */
public interface SparseKernels {

    /** {@code "scalar"} or {@code "vector (256-bit)"}. */
    String name();

    /**
     * Sparse matrix times vector, for rows {@code [rowFrom, rowTo)} of A:
     * {@code y[yOff + r] = sum_j values[j] * x[xOff + columns[j]]}, j over row r's entries.
     * Each weight is read once, each input gathered. (The fully connected layer at batch 1 uses
     * {@link #sellTimesVector}, faster on short rows; this is the plain CSR reference.)
     */
    void csrTimesVector(int[] rowStart, int[] columns, float[] values, int rowFrom, int rowTo,
                        float[] x, int xOff, float[] y, int yOff);

    /**
     * Sliced-ELLPACK matrix times vector ({@link SlicedEllpackMatrix}), for slices
     * {@code [sliceFrom, sliceTo)}: for each slice s and lane {@code i < 8},
     * {@code y[yOff + 8 s + i] = sum_t values[e] * x[columns[e]]}, {@code e = sliceStart[s] + 8 t + i}
     * over the slice's entries. The output is in the matrix's sorted row order
     * ({@link SlicedEllpackMatrix#rowOrder}), 8 values per slice, padding rows included.
     * The fully connected layer at batch 1: eight rows advance together, no per-row loop exit.
     *
     * <p>x starts at index 0, unlike the other kernels' operands: an offset costs one more add
     * per entry before the bounds check of {@code x[...]}, measured at up to a fifth of the time.
     */
    void sellTimesVector(int[] sliceStart, int[] columns, float[] values, int sliceFrom, int sliceTo,
                         float[] x, float[] y, int yOff);

    /**
     * Sparse matrix times dense matrix, for rows {@code [rowFrom, rowTo)} of A:
     * {@code C[r][p] = sum_j values[j] * B[columns[j]][p]} for {@code p < n}, with
     * {@code B[k][p] = b[bOff + k * ldb + p]} and {@code C[r][p] = c[cOff + r * ldc + p]}
     * (overwritten). Each non-zero scales a whole contiguous row of B into a row of C, so the inner
     * loop is a dense, vectorisable multiply-add: the convolution (B = the im2col columns) and the
     * fully connected layer at batch &gt; 1 (B = the transposed activations).
     */
    void csrTimesDense(int[] rowStart, int[] columns, float[] values, int rowFrom, int rowTo, int n,
                       float[] b, int bOff, int ldb, float[] c, int cOff, int ldc);
}
