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
