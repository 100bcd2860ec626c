package dev.minnow.engine.kernel.vector;

import dev.minnow.engine.kernel.ColumnSource;
import dev.minnow.engine.kernel.PackedLeft;
import dev.minnow.engine.kernel.SimdKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SimdKernels} written with the Vector API ({@code jdk.incubator.vector}), which C2 compiles
 * to AVX2/AVX-512/NEON instructions of the machine's preferred width.
 *
 * <p>Loaded by name from {@link dev.minnow.engine.kernel.KernelProvider} only when the module is
 * readable. The species is a static final constant (C2 needs that to intrinsify the vector
 * operations).
 *
 * <h2>GEMM</h2> The classic Goto/BLIS structure (Goto and van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication", 2008; Van Zee and van de Geijn, BLIS, 2015):
 * <pre>
 * for jc in 0..n step NC:               B block  (KC x NC, L3) packed into NR-wide column panels
 *   for pc in 0..k step KC:
 *     pack B[pc.., jc..]
 *     for ic in 0..m step MC:           A block  (MC x KC, L2) packed into MR-tall row panels
 *       pack alpha * A[ic.., pc..]
 *       for jr in 0..NC step NR:        one B micro-panel (KC x NR, L1) reused by every A panel
 *         for ir in 0..MC step MR:
 *           C[ir..ir+MR, jr..jr+NR] += Apanel * Bpanel      (the micro-kernel)
 * </pre>
 * The micro-kernel holds an {@code MR x NR = 4 x 2L} tile of C in eight vector registers
 * ({@code L} floats each: 8 with AVX2) and, per step of k, loads two vectors of B, broadcasts four
 * elements of A and issues eight fused multiply-adds: 16 L flops per 6 loads, enough to keep both
 * FMA units of a core busy. With 512-bit vectors (AVX-512: 32 registers) the tile is {@code 8 x 2L}
 * in sixteen registers, 32 L flops per 10 loads (0.8-0.9x the time of the 4-row tile on GEMM, conv
 * layers and whole networks: docs/avx512.md). Its sixteen accumulators are written back inline (a
 * helper taking them as arguments made everything 2.5-9x slower, the signature of boxed vectors),
 * and it never adds to C itself: accumulating products go through the tile buffer (with the loads
 * and adds of C inside, C2 compiled it in training into the Vector API's Java fallbacks).
 * Packing makes every access of the inner loop sequential and zero-pads the edges, so the
 * micro-kernel never branches; partial tiles go through a small buffer.
 */
public final class VectorKernels implements SimdKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MR = MicroKernels.MR;
    private static final int NR = MicroKernels.NR;
    private static final int KC = 256;
    private static final int MC = 128;
    private static final int NC = 4096;
    /**
     * Floats of one packed B block in {@link #gemmPacked}: 256 KB, half of a typical L2, so that the
     * block a thread has just packed is still in its L2 when the micro-kernel reads it back (there is
     * no A block beside it; re-reading the prepacked A per block of 256 columns costs little).
     */
    private static final int PACKED_B_FLOATS = 64 * 1024;
    /**
     * Products this short (a 1x1 convolution of at most 64 input channels, whose output is large
     * next to its arithmetic) are swept by {@link #gemmPacked} row tile by row tile, so that C is
     * written as 4 sequential streams instead of one stream per row of the block.
     */
    private static final int SHORT_K = 64;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Per-thread packing buffers, grown once to the largest size needed. */
    private static final class Workspace {
        float[] packA = new float[0];
        float[] packB = new float[0];
        final float[] tile = new float[MR * NR];
        int[] panelStarts = new int[0];

        float[] packA(int size) {
            if (packA.length < size) {
                packA = new float[size];
            }
            return packA;
        }

        float[] packB(int size) {
            if (packB.length < size) {
                packB = new float[size];
            }
            return packB;
        }

        int[] panelStarts(int size) {
            if (panelStarts.length < size) {
                panelStarts = new int[size];
            }
            return panelStarts;
        }
    }

    public VectorKernels() {
        // public no-arg constructor: the provider creates this class reflectively
    }

    @Override
    public String name() {
        return "vector (" + S.vectorBitSize() + "-bit)";
    }

    @Override
    public int vectorWidth() {
        return L;
    }

    @Override
    public int tileColumns() {
        return NR;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        Workspace ws = WORKSPACE.get();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int ncPadded = (nc + NR - 1) / NR * NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] bp = ws.packB(kc * ncPadded);
                packB(transB, b, bOff, ldb, pc, jc, kc, nc, bp);
                boolean acc = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    int mcPadded = (mc + MR - 1) / MR * MR;
                    float[] ap = ws.packA(mcPadded * kc);
                    packA(transA, a, aOff, lda, ic, pc, mc, kc, alpha, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int bo = jr * kc;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            int ao = ir * kc;
                            int co = cOff + (ic + ir) * ldc + jc + jr;
                            if (mr == MR && nr == NR) {
                                MicroKernels.microKernel(kc, ap, ao, bp, bo, c, co, ldc, acc, ws.tile);
                            } else {
                                MicroKernels.microKernel(kc, ap, ao, bp, bo, ws.tile, 0, NR, false, null);
                                for (int i = 0; i < mr; i++) {
                                    for (int j = 0; j < nr; j++) {
                                        float v = ws.tile[i * NR + j];
                                        c[co + i * ldc + j] = acc ? c[co + i * ldc + j] + v : v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** A block {@code alpha * op(A)[ic..ic+mc, pc..pc+kc]} as MR-row panels, k-major, zero-padded. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int pc, int mc, int kc,
                              float alpha, float[] ap) {
        packA(transA, a, aOff, lda, ic, pc, mc, kc, alpha, ap, 0);
    }

    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int pc, int mc, int kc,
                              float alpha, float[] ap, int apOff) {
        int idx = apOff;
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            if (rows == MR) {
                idx = transA ? packFullPanelTransposed(a, aOff + pc * lda + ic + ir, lda, kc, alpha, ap, idx)
                        : packFullPanel(a, aOff + (ic + ir) * lda + pc, lda, kc, alpha, ap, idx);
                continue;
            }
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < MR; i++) {
                    float v = 0f;
                    if (i < rows) {
                        int row = ic + ir + i;
                        int col = pc + p;
                        v = alpha * (transA ? a[aOff + col * lda + row] : a[aOff + row * lda + col]);
                    }
                    ap[idx++] = v;
                }
            }
        }
    }

    /**
     * A full {@code MR}-row panel of A, k-major, with no per-element tests (a tenth of a training
     * step before): row by row, each read sequentially and written with stride {@code MR}.
     */
    private static int packFullPanel(float[] a, int start, int lda, int kc, float alpha, float[] ap, int idx) {
        for (int i = 0; i < MR; i++) {
            for (int p = 0, src = start + i * lda, dst = idx + i; p < kc; p++, dst += MR) {
                ap[dst] = alpha * a[src + p];
            }
        }
        return idx + MR * kc;
    }

    /** As {@link #packFullPanel} for a transposed A (a step's MR values adjacent). */
    private static int packFullPanelTransposed(float[] a, int start, int lda, int kc, float alpha, float[] ap, int idx) {
        for (int p = 0, q = start; p < kc; p++, q += lda, idx += MR) {
            for (int i = 0; i < MR; i++) {
                ap[idx + i] = alpha * a[q + i];
            }
        }
        return idx;
    }

    /**
     * A block {@code op(B)[pc..pc+kc, jc..jc+nc]} as NR-column panels, row by row, zero-padded.
     * Whatever the layout of B, the loops read it along its contiguous dimension: rows of B, or,
     * when B is transposed, rows of B^T (one panel column at a time, writing with stride NR into
     * a panel that stays in L1).
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int jc, int kc, int nc,
                              float[] bp) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int base = jr * kc;
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + jr;
                    int dst = base + p * NR;
                    System.arraycopy(b, src, bp, dst, cols);
                    for (int j = cols; j < NR; j++) {
                        bp[dst + j] = 0f;
                    }
                }
            } else {
                for (int j = 0; j < NR; j++) {
                    if (j < cols) {
                        int src = bOff + (jc + jr + j) * ldb + pc;
                        for (int p = 0; p < kc; p++) {
                            bp[base + p * NR + j] = b[src + p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            bp[base + p * NR + j] = 0f;
                        }
                    }
                }
            }
        }
    }

    @Override
    public PackedLeft packLeft(float[] a, int aOff, int lda, int m, int k) {
        int pBlocks = (k + KC - 1) / KC;
        int iBlocks = (m + MC - 1) / MC;
        int[] offsets = new int[pBlocks * iBlocks];
        int total = 0;
        for (int pb = 0; pb < pBlocks; pb++) {
            int kc = Math.min(KC, k - pb * KC);
            for (int ib = 0; ib < iBlocks; ib++) {
                int mc = Math.min(MC, m - ib * MC);
                offsets[pb * iBlocks + ib] = total;
                total += (mc + MR - 1) / MR * MR * kc;
            }
        }
        float[] data = new float[total];
        for (int pb = 0; pb < pBlocks; pb++) {
            int kc = Math.min(KC, k - pb * KC);
            for (int ib = 0; ib < iBlocks; ib++) {
                int mc = Math.min(MC, m - ib * MC);
                packA(false, a, aOff, lda, ib * MC, pb * KC, mc, kc, 1f, data, offsets[pb * iBlocks + ib]);
            }
        }
        return PackedLeft.of(this, m, k, data, 0, k, offsets);
    }

    @Override
    public void gemmPacked(PackedLeft a, int i0, int rows, ColumnSource b, int j0, int n, float[] c, int cOff, int ldc,
                           float[] bias, int biasOff, float lo, float hi) {
        int m = a.rows();
        int k = a.columns();
        int i1 = i0 + rows;
        if (a.owner() != this || i0 % 4 != 0 || i0 < 0 || rows < 0 || i1 > m || (i1 % 4 != 0 && i1 != m)) {
            throw new IllegalArgumentException("operand packed by " + a.owner().name() + " (this is " + name()
                    + "), rows [" + i0 + ", " + i1 + ") of " + m + " (whole blocks of 4 rows)");
        }
        if (rows == 0 || n == 0) {
            return;
        }
        float[] data = a.data();
        int[] offsets = a.blockOffsets();
        int iBlocks = (m + MC - 1) / MC;
        boolean epilogue = bias != null || lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        Workspace ws = WORKSPACE.get();
        float[] inPlace = b.inPlaceArray();
        int[] rowStarts = inPlace == null ? null : b.inPlaceRowOffsets();
        int ncBlock = Math.max(NR, PACKED_B_FLOATS / Math.min(KC, k) / NR * NR);
        for (int jc = 0; jc < n; jc += ncBlock) {
            int nc = Math.min(ncBlock, n - jc);
            int ncPadded = (nc + NR - 1) / NR * NR;
            int[] starts = ws.panelStarts(2 * (ncPadded / NR));
            inPlaceStarts(b, inPlace, j0 + jc, nc, starts);
            for (int pc = 0, pb = 0; pc < k; pc += KC, pb++) {
                int kc = Math.min(KC, k - pc);
                float[] bp = ws.packB(kc * ncPadded);
                packPanels(b, inPlace, pc, kc, j0 + jc, nc, bp, starts);
                boolean acc = pc > 0;
                boolean last = pc + kc == k;
                // short products (kc <= SHORT_K) sweep the columns for one row tile after another
                // (4 rows of C written at a time), the others sweep the row tiles for one B panel
                // after another (that panel stays in L1)
                boolean rowsOuter = kc <= SHORT_K;
                for (int ib = i0 / MC, ic = ib * MC; ic < i1; ic += MC, ib++) {
                    int mc = Math.min(MC, i1 - ic);
                    int block = offsets[pb * iBlocks + ib];
                    int irFrom = Math.max(0, i0 - ic) / MR * MR;   // the tile holding row i0
                    int panels = (nc + NR - 1) / NR;
                    int tiles = (mc - irFrom + MR - 1) / MR;
                    for (int q = 0, panel = 0, tile = 0, count = panels * tiles; q < count; q++) {
                        int jr = panel * NR;
                        int ir = irFrom + tile * MR;
                        if (rowsOuter ? ++panel == panels : ++tile == tiles) {
                            if (rowsOuter) {
                                panel = 0;
                                tile++;
                            } else {
                                tile = 0;
                                panel++;
                            }
                        }
                        int nr = Math.min(NR, nc - jr);
                        int bo = jr * kc;
                        int start = starts[2 * (jr / NR)];
                        int start1 = starts[2 * (jr / NR) + 1];
                        int mr = Math.min(MR, mc - ir);
                        int skip = Math.max(0, i0 - ic - ir);   // rows of a tile above i0 (MR 8, i0 % 8 = 4)
                        int ao = block + ir * kc;
                        int co = cOff + (ic + ir) * ldc + jc + jr;
                        if (mr == MR && nr == NR && skip == 0) {
                            if (start >= 0) {
                                MicroKernels.microKernel(kc, data, ao, inPlace, start, start1, rowStarts, pc, c, co, ldc, acc,
                                        ws.tile);
                            } else {
                                MicroKernels.microKernel(kc, data, ao, bp, bo, c, co, ldc, acc, ws.tile);
                            }
                            if (last && epilogue) {
                                MicroKernels.epilogueTile(c, co, ldc, bias, bias == null ? 0 : biasOff + ic + ir, lo, hi);
                            }
                        } else {
                            if (start >= 0) {
                                MicroKernels.microKernel(kc, data, ao, inPlace, start, start1, rowStarts, pc, ws.tile, 0, NR,
                                        false, null);
                            } else if (MicroKernels.halfTilePays(nr)) {
                                MicroKernels.halfTile(kc, data, ao, bp, bo, ws.tile);
                            } else {
                                MicroKernels.microKernel(kc, data, ao, bp, bo, ws.tile, 0, NR, false, null);
                            }
                            MicroKernels.storePartialTile(ws.tile, skip, mr, nr, c, co, ldc, acc, last,
                                    bias, bias == null ? 0 : biasOff + ic + ir, lo, hi);
                        }
                    }
                }
            }
        }
    }

    /**
     * Which panels of the B block starting at column {@code col0} the GEMM reads in place: a panel
     * whose two halves of {@code L} columns {@code b} can each serve in place
     * ({@link ColumnSource#inPlaceColumn}) gets the halves' starts in {@code starts[2q], starts[2q + 1]}
     * (so a panel may straddle two output rows of a convolution whose width is a multiple of
     * {@code L}); every other panel, and every panel of a source with no in-place array, gets -1.
     * The same for every block of rows, so made once per block of columns.
     */
    private static void inPlaceStarts(ColumnSource b, float[] inPlace, int col0, int nc, int[] starts) {
        int panels = (nc + NR - 1) / NR;
        for (int q = 0; q < panels; q++) {
            int col = col0 + q * NR;
            int first = inPlace != null && nc - q * NR >= NR ? b.inPlaceColumn(col, L) : -1;
            int second = first >= 0 ? b.inPlaceColumn(col + L, L) : -1;
            starts[2 * q] = second < 0 ? -1 : first;
            starts[2 * q + 1] = second;
        }
    }

    /**
     * Packs rows {@code [pc, pc + kc)} of the B block's panels that are not read in place
     * ({@code starts[2q] < 0}, {@link #inPlaceStarts}) into {@code bp}, each at its place; a source
     * with no in-place array is packed whole, in one call.
     */
    private static void packPanels(ColumnSource b, float[] inPlace, int pc, int kc, int col0, int nc, float[] bp,
                                   int[] starts) {
        if (inPlace == null) {
            b.copyPanels(pc, kc, col0, nc, NR, bp, 0);
            return;
        }
        int panels = (nc + NR - 1) / NR;
        for (int q = 0; q < panels; q++) {
            if (starts[2 * q] < 0) {
                b.copyPanels(pc, kc, col0 + q * NR, Math.min(NR, nc - q * NR), NR, bp, q * NR * kc);
            }
        }
    }

    @Override
    public void shiftedRowSum(float[] in, int[] taps, float[] w, int wOff, float bias, float[] out, int outOff,
                              int width, float lo, float hi) {
        VectorRows.shiftedRowSum(in, taps, w, wOff, bias, out, outOff, width, lo, hi);
    }

    @Override
    public void shiftedRowMax(float[] in, int[] taps, float[] out, int outOff, int width) {
        VectorRows.shiftedRowMax(in, taps, out, outOff, width);
    }

    @Override
    public void splitPairs(float[] x, int src, float[] dst, int even, int odd, int pairs) {
        VectorRows.splitPairs(x, src, dst, even, odd, pairs);
    }

    @Override
    public void maxPool2x2Row(float[] x, int xOff, int top, int inW, float[] y, int yOff, int[] winners, int o,
                              int outW) {
        VectorRows.maxPool2x2Row(x, xOff, top, inW, y, yOff, winners, o, outW);
    }

    @Override
    public void clamp(float[] x, int xOff, float[] y, int yOff, int n, float lo, float hi) {
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).max(vlo).min(vhi).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            float v = x[xOff + i];
            v = v < lo ? lo : v;
            y[yOff + i] = v > hi ? hi : v;
        }
    }

    @Override
    public void clampGradient(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n, float lo,
                              float hi) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            VectorMask<Float> inside = v.compare(VectorOperators.GE, lo).and(v.compare(VectorOperators.LE, hi));
            FloatVector g = zero.blend(FloatVector.fromArray(S, dy, dyOff + i), inside);
            FloatVector.fromArray(S, dx, dxOff + i).add(g).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float v = x[xOff + i];
            if (v >= lo && v <= hi) {
                dx[dxOff + i] += dy[dyOff + i];
            }
        }
    }

    @Override
    public void add(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n, boolean relu) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, aOff + i).add(FloatVector.fromArray(S, b, bOff + i));
            (relu ? v.max(zero) : v).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            float v = a[aOff + i] + b[bOff + i];
            y[yOff + i] = relu && v < 0f ? 0f : v;
        }
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        int i = 0;
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            s0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), s0);
            s1 = FloatVector.fromArray(S, x, xOff + i + L).fma(FloatVector.fromArray(S, y, yOff + i + L), s1);
        }
        float sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += x[xOff + i] * y[yOff + i];
        }
        return sum;
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
