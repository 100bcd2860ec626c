package dev.minnow.compression.sparse.vector;

import dev.minnow.compression.sparse.ScalarSparseKernels;
import dev.minnow.compression.sparse.SparseKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SparseKernels} with the Vector API. Loaded by name from
 * {@link dev.minnow.compression.sparse.SparseKernelProvider} only when the module is readable.
 *
 * <p>Matrix times vector: {@code L} non-zeros at a time, their inputs fetched with one
 * <em>gather</em> ({@code FloatVector.fromArray(S, x, xOff, columns, j)}) and multiplied with the
 * {@code L} consecutive values; two accumulators. Whether this beats the scalar loop depends on
 * the gather's cost (AVX2's {@code vgatherdps} is microcoded) — the JMH benchmark
 * {@code SparseFcBenchmark} measures both.
 *
 * <p>Sliced ELLPACK times vector: one 8-lane vector of sums per slice of 8 rows, one gather per
 * step. Slower than the scalar loop on AMD Zen 3 with JDK 17 (docs/pruning.md, section 6), so
 * {@link dev.minnow.compression.sparse.SparseKernelProvider#slicedTimesVectorKernels} does not pick
 * it unless asked to.
 *
 * <p>Matrix times matrix: a row of C is computed {@code 4 L} columns at a time in four vector
 * registers; for each non-zero of the row, its value is broadcast and multiplied into four
 * vectors of the matching row of B, so C is written once per tile instead of once per non-zero.
 */
public final class VectorSparseKernels implements SparseKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** One slice of a {@link dev.minnow.compression.sparse.SlicedEllpackMatrix}: 8 floats. */
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;

    public VectorSparseKernels() {
    }

    @Override
    public String name() {
        return "vector (" + S.vectorBitSize() + "-bit)";
    }

    @Override
    public void csrTimesVector(int[] rowStart, int[] columns, float[] values, int rowFrom, int rowTo,
                               float[] x, int xOff, float[] y, int yOff) {
        for (int r = rowFrom; r < rowTo; r++) {
            int j = rowStart[r];
            int end = rowStart[r + 1];
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = acc0;
            for (; j + 2 * L <= end; j += 2 * L) {
                acc0 = FloatVector.fromArray(S, x, xOff, columns, j)
                        .fma(FloatVector.fromArray(S, values, j), acc0);
                acc1 = FloatVector.fromArray(S, x, xOff, columns, j + L)
                        .fma(FloatVector.fromArray(S, values, j + L), acc1);
            }
            float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
            for (; j < end; j++) {
                s += values[j] * x[xOff + columns[j]];
            }
            y[yOff + r] = s;
        }
    }

    /**
     * One 8-lane vector per slice, lane i = row i of the slice: per step, one gather of the eight
     * inputs and one fused multiply-add with the eight contiguous values; the sums are stored
     * with one vector store. Needs 256-bit vectors (the slice height); on a CPU with narrower ones
     * the scalar loop is used.
     */
    @Override
    public void sellTimesVector(int[] sliceStart, int[] columns, float[] values, int sliceFrom, int sliceTo,
                                float[] x, float[] y, int yOff) {
        if (S.vectorBitSize() < 256) {
            ScalarSparseKernels.INSTANCE.sellTimesVector(sliceStart, columns, values, sliceFrom, sliceTo, x, y, yOff);
            return;
        }
        for (int s = sliceFrom; s < sliceTo; s++) {
            FloatVector acc = FloatVector.zero(S8);
            for (int e = sliceStart[s], end = sliceStart[s + 1]; e < end; e += 8) {
                acc = FloatVector.fromArray(S8, x, 0, columns, e).fma(FloatVector.fromArray(S8, values, e), acc);
            }
            acc.intoArray(y, yOff + 8 * s);
        }
    }

    @Override
    public void csrTimesDense(int[] rowStart, int[] columns, float[] values, int rowFrom, int rowTo, int n,
                              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int p0 = 0;
        for (; p0 + 4 * L <= n; p0 += 4 * L) {
            for (int r = rowFrom; r < rowTo; r++) {
                FloatVector c0 = FloatVector.zero(S);
                FloatVector c1 = c0;
                FloatVector c2 = c0;
                FloatVector c3 = c0;
                for (int j = rowStart[r], end = rowStart[r + 1]; j < end; j++) {
                    FloatVector w = FloatVector.broadcast(S, values[j]);
                    int bRow = bOff + columns[j] * ldb + p0;
                    c0 = FloatVector.fromArray(S, b, bRow).fma(w, c0);
                    c1 = FloatVector.fromArray(S, b, bRow + L).fma(w, c1);
                    c2 = FloatVector.fromArray(S, b, bRow + 2 * L).fma(w, c2);
                    c3 = FloatVector.fromArray(S, b, bRow + 3 * L).fma(w, c3);
                }
                int cRow = cOff + r * ldc + p0;
                c0.intoArray(c, cRow);
                c1.intoArray(c, cRow + L);
                c2.intoArray(c, cRow + 2 * L);
                c3.intoArray(c, cRow + 3 * L);
            }
        }
        for (; p0 + L <= n; p0 += L) {
            for (int r = rowFrom; r < rowTo; r++) {
                FloatVector acc = FloatVector.zero(S);
                for (int j = rowStart[r], end = rowStart[r + 1]; j < end; j++) {
                    acc = FloatVector.fromArray(S, b, bOff + columns[j] * ldb + p0)
                            .fma(FloatVector.broadcast(S, values[j]), acc);
                }
                acc.intoArray(c, cOff + r * ldc + p0);
            }
        }
        if (p0 < n) {
            for (int r = rowFrom; r < rowTo; r++) {
                int cRow = cOff + r * ldc;
                for (int p = p0; p < n; p++) {
                    c[cRow + p] = 0f;
                }
                for (int j = rowStart[r], end = rowStart[r + 1]; j < end; j++) {
                    float w = values[j];
                    int bRow = bOff + columns[j] * ldb;
                    for (int p = p0; p < n; p++) {
                        c[cRow + p] += w * b[bRow + p];
                    }
                }
            }
        }
    }
}
