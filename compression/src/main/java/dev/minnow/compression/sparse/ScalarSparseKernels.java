package dev.minnow.compression.sparse;

/**
 * {@link SparseKernels} in plain Java. The matrix-vector product keeps four independent partial
 * sums so that consecutive multiply-adds do not wait on each other; the matrix-matrix product
 * works on column tiles of {@link #TILE} so that the row of C being accumulated stays in the
 * first-level cache while the non-zeros of its row of A stream past, and C2 vectorises its inner
 * multiply-add loop on its own.
 */
public final class ScalarSparseKernels implements SparseKernels {
    public static final ScalarSparseKernels INSTANCE = new ScalarSparseKernels();
    /** Columns of B and C per tile: 1 KB of C per row, a few hundred rows of B in L2. */
    static final int TILE = 256;

    private ScalarSparseKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void csrTimesVector(int[] rowStart, int[] columns, float[] values, int rowFrom, int rowTo,
                               float[] x, int xOff, float[] y, int yOff) {
        for (int r = rowFrom; r < rowTo; r++) {
            int j = rowStart[r];
            int end = rowStart[r + 1];
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            for (; j + 3 < end; j += 4) {
                s0 += values[j] * x[xOff + columns[j]];
                s1 += values[j + 1] * x[xOff + columns[j + 1]];
                s2 += values[j + 2] * x[xOff + columns[j + 2]];
                s3 += values[j + 3] * x[xOff + columns[j + 3]];
            }
            for (; j < end; j++) {
                s0 += values[j] * x[xOff + columns[j]];
            }
            y[yOff + r] = (s0 + s1) + (s2 + s3);
        }
    }

    /**
     * Eight independent sums, one per row of the slice: no dependency chain longer than one
     * add per eight entries, one loop exit per slice. (Multiply then add, not {@code Math.fma}:
     * on a CPU without FMA instructions {@code Math.fma} is emulated and very slow.)
     */
    @Override
    public void sellTimesVector(int[] sliceStart, int[] columns, float[] values, int sliceFrom, int sliceTo,
                                float[] x, float[] y, int yOff) {
        for (int s = sliceFrom; s < sliceTo; s++) {
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            float s4 = 0f;
            float s5 = 0f;
            float s6 = 0f;
            float s7 = 0f;
            for (int e = sliceStart[s], end = sliceStart[s + 1]; e < end; e += 8) {
                s0 += values[e] * x[columns[e]];
                s1 += values[e + 1] * x[columns[e + 1]];
                s2 += values[e + 2] * x[columns[e + 2]];
                s3 += values[e + 3] * x[columns[e + 3]];
                s4 += values[e + 4] * x[columns[e + 4]];
                s5 += values[e + 5] * x[columns[e + 5]];
                s6 += values[e + 6] * x[columns[e + 6]];
                s7 += values[e + 7] * x[columns[e + 7]];
            }
            int o = yOff + 8 * s;
            y[o] = s0;
            y[o + 1] = s1;
            y[o + 2] = s2;
            y[o + 3] = s3;
            y[o + 4] = s4;
            y[o + 5] = s5;
            y[o + 6] = s6;
            y[o + 7] = s7;
        }
    }

    @Override
    public void csrTimesDense(int[] rowStart, int[] columns, float[] values, int rowFrom, int rowTo, int n,
                              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        for (int p0 = 0; p0 < n; p0 += TILE) {
            int width = Math.min(TILE, n - p0);
            for (int r = rowFrom; r < rowTo; r++) {
                int cRow = cOff + r * ldc + p0;
                java.util.Arrays.fill(c, cRow, cRow + width, 0f);
                for (int j = rowStart[r], end = rowStart[r + 1]; j < end; j++) {
                    float w = values[j];
                    int bRow = bOff + columns[j] * ldb + p0;
                    for (int p = 0; p < width; p++) {
                        c[cRow + p] += w * b[bRow + p];
                    }
                }
            }
        }
    }
}
