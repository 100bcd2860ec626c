package dev.minnow.engine.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tile micro-kernels of {@link VectorKernels}' GEMM: {@code C[MR x NR] = Apanel *
 * Bpanel} for one packed (or in-place) panel pair, and the tile epilogues. Kept apart from the
 * packing and blocking because their size matters to C2: every vector operation here must be
 * intrinsified for the kernel to run at the FMA units' speed (docs/avx512.md has the two ways that
 * went wrong, and why the 8-row kernel never adds to C itself).
 */
final class MicroKernels {
    /** The same species as {@link VectorKernels}' (the machine's preferred width). */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Rows of the register tile: 4 with 256-bit vectors (8 accumulators of the 16 registers), 8 with
     * 512-bit ones (16 accumulators of the 32 registers: twice the work per load of B).
     */
    static final int MR = L >= 16 ? 8 : 4;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;

    private MicroKernels() {
    }

    /** Adds the row biases to a full {@code MR x NR} tile of C and clamps it to {@code [lo, hi]}. */
    static void epilogueTile(float[] c, int co, int ldc, float[] bias, int biasRow, float lo, float hi) {
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        for (int i = 0; i < MR; i++) {
            int row = co + i * ldc;
            FloatVector add = FloatVector.broadcast(S, bias == null ? 0f : bias[biasRow + i]);
            FloatVector.fromArray(S, c, row).add(add).max(vlo).min(vhi).intoArray(c, row);
            FloatVector.fromArray(S, c, row + L).add(add).max(vlo).min(vhi).intoArray(c, row + L);
        }
    }

    /**
     * {@code C[MR x NR] (+)= Apanel[kc x MR] * Bpanel[kc x NR]}, the tile held in registers;
     * {@code tile} ({@code MR x NR} floats) is scratch for an accumulating product.
     */
    static void microKernel(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc,
                            boolean accumulate, float[] tile) {
        microKernel(kc, ap, ao, bp, bo, 0, null, 0, c, co, ldc, accumulate, tile);
    }

    /**
     * As above, or with {@code rowStarts} not null, row {@code p} of the panel read in place, in two
     * halves: {@code B[p][0 .. L) = bp[rowStarts[row0 + p] + bo ..]},
     * {@code B[p][L .. NR) = bp[rowStarts[row0 + p] + bo1 ..]} (an image that
     * {@link dev.minnow.engine.kernel.ConvColumns} bordered with zeros, {@link dev.minnow.engine.kernel.ColumnSource#inPlaceColumn}).
     * The test on {@code rowStarts} is invariant in the loop, which C2 unswitches into two loops.
     */
    static void microKernel(int kc, float[] ap, int ao, float[] bp, int bo, int bo1, int[] rowStarts,
                            int row0, float[] c, int co, int ldc, boolean accumulate, float[] tile) {
        if (MR == 8) {
            // the 8-row kernel only ever writes its tile: with C's loads and adds in it as well, C2
            // compiled it (in training, where both cases occur) into code that ran the Vector
            // API's Java fallbacks, 3.7x slower (docs/avx512.md)
            if (accumulate) {
                microKernel8(kc, ap, ao, bp, bo, bo1, rowStarts, row0, tile, 0, NR);
                addTile(tile, c, co, ldc);
            } else {
                microKernel8(kc, ap, ao, bp, bo, bo1, rowStarts, row0, c, co, ldc);
            }
        } else {
            microKernel4(kc, ap, ao, bp, bo, bo1, rowStarts, row0, c, co, ldc, accumulate);
        }
    }

    /** The {@code 4 x 2L} tile in eight registers (256-bit vectors). */
    private static void microKernel4(int kc, float[] ap, int ao, float[] bp, int bo, int bo1, int[] rowStarts,
                                     int row0, float[] c, int co, int ldc, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        // packed: indices written as linear functions of p, so that C2 can hoist the bounds checks
        for (int p = 0; p < kc; p++) {
            int row = rowStarts == null ? bo + p * NR : rowStarts[row0 + p];
            int bi = rowStarts == null ? row : row + bo;
            int bi1 = rowStarts == null ? row + L : row + bo1;
            int ai = ao + p * 4;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi1);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
        }
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
            c10 = c10.add(FloatVector.fromArray(S, c, co + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
    }

    /** The {@code 8 x 2L} tile in sixteen registers (512-bit vectors). */
    private static void microKernel8(int kc, float[] ap, int ao, float[] bp, int bo, int bo1, int[] rowStarts,
                                     int row0, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++) {
            int row = rowStarts == null ? bo + p * NR : rowStarts[row0 + p];
            int bi = rowStarts == null ? row : row + bo;
            int bi1 = rowStarts == null ? row + L : row + bo1;
            int ai = ao + p * 8;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi1);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            a = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = b0.fma(a, c40);
            c41 = b1.fma(a, c41);
            a = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = b0.fma(a, c50);
            c51 = b1.fma(a, c51);
            a = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = b0.fma(a, c60);
            c61 = b1.fma(a, c61);
            a = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = b0.fma(a, c70);
            c71 = b1.fma(a, c71);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + L);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + L);
    }

    /**
     * Whether {@link #halfTile} serves a last panel of {@code nr} columns: at most one vector of
     * them, with the 8-row tile (with 4 rows, one accumulator per row would leave the FMA units
     * waiting on each other's latency).
     */
    static boolean halfTilePays(int nr) {
        return MR == 8 && nr <= L;
    }

    /**
     * {@code tile[MR x L] = Apanel[kc x MR] * Bpanel[kc x L]} from a packed panel (rows {@code NR}
     * apart, its first {@code L} columns), into {@code tile}'s rows of {@code NR}: the last panel
     * of a product whose columns leave at most one vector over (169 = 5 x 32 + 9 on a 13x13 map,
     * 196 = 6 x 32 + 4 on 14x14, 784 = 24 x 32 + 16 on 28x28) costs half a tile instead of a whole one.
     */
    static void halfTile(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int p = 0; p < kc; p++) {
            FloatVector b = FloatVector.fromArray(S, bp, bo + p * NR);
            int ai = ao + p * 8;
            c0 = b.fma(FloatVector.broadcast(S, ap[ai]), c0);
            c1 = b.fma(FloatVector.broadcast(S, ap[ai + 1]), c1);
            c2 = b.fma(FloatVector.broadcast(S, ap[ai + 2]), c2);
            c3 = b.fma(FloatVector.broadcast(S, ap[ai + 3]), c3);
            c4 = b.fma(FloatVector.broadcast(S, ap[ai + 4]), c4);
            c5 = b.fma(FloatVector.broadcast(S, ap[ai + 5]), c5);
            c6 = b.fma(FloatVector.broadcast(S, ap[ai + 6]), c6);
            c7 = b.fma(FloatVector.broadcast(S, ap[ai + 7]), c7);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, NR);
        c2.intoArray(tile, 2 * NR);
        c3.intoArray(tile, 3 * NR);
        c4.intoArray(tile, 4 * NR);
        c5.intoArray(tile, 5 * NR);
        c6.intoArray(tile, 6 * NR);
        c7.intoArray(tile, 7 * NR);
    }

    /**
     * Rows {@code [skip, mr)} and columns {@code [0, nr)} of a partial tile (the product's last
     * panel, or its last rows) from {@code tile} into C: added to C when {@code accumulate}, then,
     * when {@code last}, given the row's bias and clamped to {@code [lo, hi]}. Whole vectors first,
     * the remaining {@code nr % L} columns one by one. (Winograd's products on a 13x13 map have 56
     * columns, one whole tile and one of 24: element by element, this loop held a third of their
     * JFR samples; docs/avx512.md, section 10.)
     */
    static void storePartialTile(float[] tile, int skip, int mr, int nr, float[] c, int co, int ldc,
                                 boolean accumulate, boolean last, float[] bias, int biasRow, float lo, float hi) {
        int vectorEnd = nr / L * L;
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        for (int i = skip; i < mr; i++) {
            float add = last && bias != null ? bias[biasRow + i] : 0f;
            int row = co + i * ldc;
            int t = i * NR;
            for (int j = 0; j < vectorEnd; j += L) {
                FloatVector v = FloatVector.fromArray(S, tile, t + j);
                if (accumulate) {
                    v = v.add(FloatVector.fromArray(S, c, row + j));
                }
                if (last) {
                    v = v.add(add).max(vlo).min(vhi);
                }
                v.intoArray(c, row + j);
            }
            for (int j = vectorEnd; j < nr; j++) {
                float v = tile[t + j] + (accumulate ? c[row + j] : 0f);
                c[row + j] = last ? Math.min(Math.max(v + add, lo), hi) : v;
            }
        }
    }

    /** {@code C[8 x NR] += tile} (the tile row-major, {@code NR} floats per row). */
    private static void addTile(float[] tile, float[] c, int co, int ldc) {
        for (int i = 0; i < MR; i++) {
            int row = co + i * ldc;
            FloatVector.fromArray(S, tile, i * NR).add(FloatVector.fromArray(S, c, row)).intoArray(c, row);
            FloatVector.fromArray(S, tile, i * NR + L).add(FloatVector.fromArray(S, c, row + L)).intoArray(c, row + L);
        }
    }
}
