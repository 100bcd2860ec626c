package dev.minnow.engine.kernel;

import java.util.Arrays;

/**
 * {@link SimdKernels} in plain Java: always available, and shaped so that C2's auto-vectoriser
 * (SuperWord) turns the hot loops into SIMD code anyway.
 *
 * <p>SuperWord is fragile. On JDK 17 it gives up on a loop such as
 * {@code c[cOff + j] += a * b[bOff + j]} when the two arrays are indexed with different
 * loop-invariant offsets (it cannot prove their relative alignment), so a textbook i-k-j GEMM
 * stays scalar at about 5 GFLOP/s. It does vectorise {@code y[j] += a * x[j]} when both arrays
 * are indexed from zero. The GEMM below is therefore organised around exactly that loop: the B
 * block is packed into one array per row, and four rows of C accumulate in one array at constant
 * offsets, so the innermost loop is {@code acc[r * ACC_STRIDE + j] += a_r * bRow[j]} for four
 * rows at once (sharing each load of {@code bRow[j]}).
 *
 * <p>Why one accumulator array and not four: SuperWord aligns the loop to one of the arrays and
 * assumes the others are aligned alike. Four separately allocated arrays land wherever the
 * allocator (and later the garbage collector) puts them, and when their starts differ by 16 bytes
 * modulo 32 half the 256-bit loads and stores straddle two cache lines: the same GEMM 512^3 took
 * 8.8 ms in one thread and 19 ms in another, depending only on where that thread's buffers were
 * allocated, which showed up as two threads being barely faster than one (6.2-6.9 ms in every
 * thread since, JDK 17 and 25). In one array the rows keep a fixed distance; it must be a
 * multiple of the vector length (at 516 or 518 floats C2 does not vectorise the loop at all,
 * 40 ms), and {@code ACC_STRIDE} is a multiple of 16 floats, one cache line, so every row starts
 * at the same offset within its line.
 */
public final class ScalarKernels implements SimdKernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    private static final int KC = 256;
    private static final int NC = 512;
    /** Distance between the accumulator rows: a multiple of 16 floats (see the class comment). */
    private static final int ACC_STRIDE = NC + 80;
    /** Products with fewer columns than this may run column by column ({@link #columnwisePays}). */
    static final int COLUMNWISE_BELOW = 256;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /**
     * Floats per chunk of the element-wise loops that compare ({@link #clamp}, {@link #shiftedRowMax},
     * {@link #add} with ReLU). C2 vectorises {@code acc[i] = Math.max(acc[i], row[i])} only with both
     * arrays indexed from zero: with an offset, or with comparisons instead of {@code Math.max}, the
     * loop stays scalar (0.51-0.69 ns per element against 0.09-0.12 through zero-offset copies, JDK 17,
     * with AVX-512 and with {@code -XX:UseAVX=2}). So those loops copy their operands into two
     * per-thread chunks ({@code System.arraycopy}: a vectorised stub), work there and copy back.
     */
    private static final int CHUNK = 1024;
    private static final ThreadLocal<float[][]> CHUNKS =
            ThreadLocal.withInitial(() -> new float[][] {new float[CHUNK], new float[CHUNK]});

    /** Per-thread buffers: the packed B block (one array per row) and four accumulator rows in one array. */
    private static final class Workspace {
        final float[][] bRows = new float[KC][NC];
        final float[] acc = new float[4 * ACC_STRIDE];
    }

    private ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int vectorWidth() {
        return 1;
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
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        Workspace ws = WORKSPACE.get();
        float[][] bRows = ws.bRows;
        float[] acc = ws.acc;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                for (int p = 0; p < kc; p++) {
                    float[] row = bRows[p];
                    int r = pc + p;
                    if (transB) {
                        for (int j = 0; j < nc; j++) {
                            row[j] = b[bOff + (jc + j) * ldb + r];
                        }
                    } else {
                        System.arraycopy(b, bOff + r * ldb + jc, row, 0, nc);
                    }
                }
                boolean add = accumulate || pc > 0;
                int i = 0;
                for (; i + 4 <= m; i += 4) {
                    clearRows(acc, nc);
                    for (int p = 0; p < kc; p++) {
                        float a0 = alpha * elementA(transA, a, aOff, lda, i, pc + p);
                        float a1 = alpha * elementA(transA, a, aOff, lda, i + 1, pc + p);
                        float a2 = alpha * elementA(transA, a, aOff, lda, i + 2, pc + p);
                        float a3 = alpha * elementA(transA, a, aOff, lda, i + 3, pc + p);
                        axpy4(nc, a0, a1, a2, a3, bRows[p], acc);
                    }
                    storeRow(acc, 0, nc, c, cOff + i * ldc + jc, add);
                    storeRow(acc, ACC_STRIDE, nc, c, cOff + (i + 1) * ldc + jc, add);
                    storeRow(acc, 2 * ACC_STRIDE, nc, c, cOff + (i + 2) * ldc + jc, add);
                    storeRow(acc, 3 * ACC_STRIDE, nc, c, cOff + (i + 3) * ldc + jc, add);
                }
                for (; i < m; i++) {
                    Arrays.fill(acc, 0, nc, 0f);
                    for (int p = 0; p < kc; p++) {
                        axpy1(nc, alpha * elementA(transA, a, aOff, lda, i, pc + p), bRows[p], acc);
                    }
                    storeRow(acc, 0, nc, c, cOff + i * ldc + jc, add);
                }
            }
        }
    }

    @Override
    public PackedLeft packLeft(float[] a, int aOff, int lda, int m, int k) {
        return PackedLeft.of(this, m, k, a, aOff, lda, null);
    }

    /**
     * {@link Gemm#sgemmPacked} splits a product with few columns by rows across threads for this
     * kernel, because its inner loop runs along the columns: cut into narrow column slices, its
     * trip count falls below what C2's unrolled vector loop handles (32 floats per iteration) and
     * the slices run in the scalar pre- and post-loops (ResNet-18's last stage, 49 columns: two
     * threads at 32 and 17 columns took twice as long as one thread with all 49, once C2 had
     * compiled the loop on wider layers).
     */
    @Override
    public void gemmPacked(PackedLeft a, int i0, int rows, ColumnSource b, int j0, int n, float[] c, int cOff, int ldc,
                           float[] bias, int biasOff, float lo, float hi) {
        if (a.owner() != this) {
            throw new IllegalArgumentException("operand packed by " + a.owner().name() + ", not by " + name());
        }
        if (i0 < 0 || rows < 0 || i0 + rows > a.rows()) {
            throw new IllegalArgumentException("rows [" + i0 + ", " + (i0 + rows) + ") outside A's " + a.rows());
        }
        int m = rows;
        int k = a.columns();
        if (m == 0 || n == 0) {
            return;
        }
        if (i0 == 0 && m == a.rows() && columnwisePays(m, n)) {
            gemmPackedColumnwise(a, b, j0, n, c, cOff, ldc, bias, biasOff, lo, hi);
            return;
        }
        float[] av = a.data();
        int lda = a.leadingDimension();
        int aOff = a.offset() + i0 * lda;
        cOff += i0 * ldc;
        biasOff += i0;
        Workspace ws = WORKSPACE.get();
        float[][] bRows = ws.bRows;
        float[] acc = ws.acc;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                for (int p = 0; p < kc; p++) {
                    b.copyPanels(pc + p, 1, j0 + jc, nc, nc, bRows[p], 0);
                }
                boolean add = pc > 0;
                int i = 0;
                for (; i + 4 <= m; i += 4) {
                    clearRows(acc, nc);
                    int r0 = aOff + i * lda + pc;
                    for (int p = 0; p < kc; p++) {
                        axpy4(nc, av[r0 + p], av[r0 + lda + p], av[r0 + 2 * lda + p], av[r0 + 3 * lda + p],
                                bRows[p], acc);
                    }
                    storeRow(acc, 0, nc, c, cOff + i * ldc + jc, add);
                    storeRow(acc, ACC_STRIDE, nc, c, cOff + (i + 1) * ldc + jc, add);
                    storeRow(acc, 2 * ACC_STRIDE, nc, c, cOff + (i + 2) * ldc + jc, add);
                    storeRow(acc, 3 * ACC_STRIDE, nc, c, cOff + (i + 3) * ldc + jc, add);
                }
                for (; i < m; i++) {
                    Arrays.fill(acc, 0, nc, 0f);
                    int r = aOff + i * lda + pc;
                    for (int p = 0; p < kc; p++) {
                        axpy1(nc, av[r + p], bRows[p], acc);
                    }
                    storeRow(acc, 0, nc, c, cOff + i * ldc + jc, add);
                }
            }
            biasAndClamp(m, nc, c, cOff + jc, ldc, bias, biasOff, lo, hi);
        }
    }

    /**
     * Whether {@link #gemmPacked} computes an {@code m x n} product column by column
     * ({@link #gemmPackedColumnwise}): when it has few columns and many rows. The inner
     * loop runs along whatever the product holds many of; C2 unrolls it to 64 floats per iteration
     * with 512-bit vectors, so a 49-column row (ResNet-18's 7x7 maps) ran entirely in the scalar
     * post-loop: 0.18 ns per multiply-add against 0.03-0.05 along 512 rows (docs/avx512.md).
     */
    static boolean columnwisePays(int m, int n) {
        return n < COLUMNWISE_BELOW && slabRows(m) >= 2 * n;
    }

    /** Rows per slab of A's columns: A's rows cut into equal slabs of at most {@link #NC}. */
    private static int slabRows(int m) {
        int slabs = (m + NC - 1) / NC;
        return (m + slabs - 1) / slabs;
    }

    /**
     * A's columns as separate arrays, slab by slab: {@code t[s * k + p][i] = A[s * slabRows + i][p]}.
     * Separate arrays, each indexed from zero, because C2 vectorises {@code y[j] += a * x[j]} but
     * not {@code y[j] += a * x[xOff + j]} (0.36-0.41 ns per multiply-add, scalar code).
     */
    private static float[][] columnsOf(PackedLeft a) {
        int m = a.rows();
        int k = a.columns();
        int rowsPerSlab = slabRows(m);
        int slabs = (m + rowsPerSlab - 1) / rowsPerSlab;
        float[] av = a.data();
        int lda = a.leadingDimension();
        float[][] t = new float[slabs * k][];
        for (int s = 0; s < slabs; s++) {
            int r0 = s * rowsPerSlab;
            int ms = Math.min(rowsPerSlab, m - r0);
            for (int p = 0; p < k; p++) {
                float[] col = new float[ms];
                for (int i = 0; i < ms; i++) {
                    col[i] = av[a.offset() + (r0 + i) * lda + p];
                }
                t[s * k + p] = col;
            }
        }
        return t;
    }

    /**
     * The whole product's columns {@code [j0, j0 + n)}, n &lt; {@link #COLUMNWISE_BELOW}, computed
     * four columns of C at a time along A's rows: {@code acc_r[i] += B[p][j + r] * A[i][p]}, the
     * rows of A's column p in one array ({@link #columnsOf}). The transposed form of the row-wise
     * loop, for products with few columns and many rows.
     */
    private void gemmPackedColumnwise(PackedLeft a, ColumnSource b, int j0, int n, float[] c, int cOff, int ldc,
                                      float[] bias, int biasOff, float lo, float hi) {
        int m = a.rows();
        int k = a.columns();
        float[][] t = a.arrays(ScalarKernels::columnsOf);
        int rowsPerSlab = slabRows(m);
        Workspace ws = WORKSPACE.get();
        float[][] bRows = ws.bRows;
        float[] acc = ws.acc;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            for (int p = 0; p < kc; p++) {
                b.copyPanels(pc + p, 1, j0, n, n, bRows[p], 0);
            }
            boolean add = pc > 0;
            for (int r0 = 0; r0 < m; r0 += rowsPerSlab) {
                int ms = Math.min(rowsPerSlab, m - r0);
                int col0 = r0 / rowsPerSlab * k + pc;
                int j = 0;
                for (; j + 4 <= n; j += 4) {
                    clearRows(acc, ms);
                    for (int p = 0; p < kc; p++) {
                        float[] bRow = bRows[p];
                        axpy4(ms, bRow[j], bRow[j + 1], bRow[j + 2], bRow[j + 3], t[col0 + p], acc);
                    }
                    storeColumns(acc, ms, 4, c, cOff + r0 * ldc + j, ldc, add);
                }
                for (; j < n; j++) {
                    Arrays.fill(acc, 0, ms, 0f);
                    for (int p = 0; p < kc; p++) {
                        axpy1(ms, bRows[p][j], t[col0 + p], acc);
                    }
                    storeColumns(acc, ms, 1, c, cOff + r0 * ldc + j, ldc, add);
                }
            }
        }
        biasAndClamp(m, n, c, cOff, ldc, bias, biasOff, lo, hi);
    }

    /** Writes (or adds) accumulator rows {@code 0..q-1} as columns of C: {@code C[i][r] = acc_r[i]}. */
    private static void storeColumns(float[] acc, int rows, int q, float[] c, int cOff, int ldc, boolean add) {
        for (int i = 0; i < rows; i++) {
            int at = cOff + i * ldc;
            for (int r = 0; r < q; r++) {
                float v = acc[r * ACC_STRIDE + i];
                c[at + r] = add ? c[at + r] + v : v;
            }
        }
    }

    /** {@code C[i][j] = clamp(C[i][j] + bias[i], lo, hi)} over an {@code m x n} block, when there is anything to do. */
    private static void biasAndClamp(int m, int n, float[] c, int cOff, int ldc, float[] bias, int biasOff, float lo,
                                     float hi) {
        if (bias == null && lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY) {
            return;
        }
        float[] acc = CHUNKS.get()[0];
        for (int i = 0; i < m; i++) {
            float add = bias == null ? 0f : bias[biasOff + i];
            int row = cOff + i * ldc;
            for (int j0 = 0; j0 < n; j0 += CHUNK) {
                int w = Math.min(CHUNK, n - j0);
                System.arraycopy(c, row + j0, acc, 0, w);
                for (int j = 0; j < w; j++) {
                    acc[j] = Math.min(Math.max(acc[j] + add, lo), hi);
                }
                System.arraycopy(acc, 0, c, row + j0, w);
            }
        }
    }

    private static float elementA(boolean transA, float[] a, int aOff, int lda, int row, int col) {
        return transA ? a[aOff + col * lda + row] : a[aOff + row * lda + col];
    }

    /** Four rows of {@code acc_r[j] += a_r * x[j]}; constant offsets in {@code y} keep it vectorisable. */
    private static void axpy4(int n, float a0, float a1, float a2, float a3, float[] x,
                              float[] y) {
        for (int j = 0; j < n; j++) {
            float v = x[j];
            y[j] += a0 * v;
            y[ACC_STRIDE + j] += a1 * v;
            y[2 * ACC_STRIDE + j] += a2 * v;
            y[3 * ACC_STRIDE + j] += a3 * v;
        }
    }

    private static void axpy1(int n, float a, float[] x, float[] y) {
        for (int j = 0; j < n; j++) {
            y[j] += a * x[j];
        }
    }

    /** Zeroes the first {@code n} floats of the four accumulator rows. */
    private static void clearRows(float[] acc, int n) {
        for (int r = 0; r < 4; r++) {
            Arrays.fill(acc, r * ACC_STRIDE, r * ACC_STRIDE + n, 0f);
        }
    }

    private static void storeRow(float[] acc, int accOff, int n, float[] c, int cOff, boolean add) {
        if (add) {
            for (int j = 0; j < n; j++) {
                c[cOff + j] += acc[accOff + j];
            }
        } else {
            System.arraycopy(acc, accOff, c, cOff, n);
        }
    }

    @Override
    public void shiftedRowSum(float[] in, int[] taps, float[] w, int wOff, float bias, float[] out, int outOff,
                              int width, float lo, float hi) {
        int t = 0;
        // three taps per pass: one load and one store of out per three multiply-adds
        for (; t + 3 <= taps.length; t += 3) {
            float w0 = w[wOff + t];
            float w1 = w[wOff + t + 1];
            float w2 = w[wOff + t + 2];
            int a = taps[t];
            int b = taps[t + 1];
            int c = taps[t + 2];
            boolean first = t == 0;
            for (int j = 0; j < width; j++) {
                float acc = first ? bias : out[outOff + j];
                out[outOff + j] = acc + w0 * in[a + j] + w1 * in[b + j] + w2 * in[c + j];
            }
        }
        if (t == 0) {
            java.util.Arrays.fill(out, outOff, outOff + width, bias);
        }
        for (; t < taps.length; t++) {
            float wt = w[wOff + t];
            int a = taps[t];
            for (int j = 0; j < width; j++) {
                out[outOff + j] += wt * in[a + j];
            }
        }
        if (lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY) {
            clamp(out, outOff, out, outOff, width, lo, hi);
        }
    }

    @Override
    public void shiftedRowMax(float[] in, int[] taps, float[] out, int outOff, int width) {
        float[][] chunks = CHUNKS.get();
        float[] acc = chunks[0];
        float[] row = chunks[1];
        for (int j0 = 0; j0 < width; j0 += CHUNK) {
            int w = Math.min(CHUNK, width - j0);
            System.arraycopy(in, taps[0] + j0, acc, 0, w);
            for (int t = 1; t < taps.length; t++) {
                System.arraycopy(in, taps[t] + j0, row, 0, w);
                for (int j = 0; j < w; j++) {
                    acc[j] = Math.max(acc[j], row[j]);
                }
            }
            System.arraycopy(acc, 0, out, outOff + j0, w);
        }
    }

    @Override
    public void splitPairs(float[] x, int src, float[] dst, int even, int odd, int pairs) {
        PhasePlanes.splitPairs(x, src, 1, dst, even, odd, pairs);
    }

    @Override
    public void clamp(float[] x, int xOff, float[] y, int yOff, int n, float lo, float hi) {
        float[] acc = CHUNKS.get()[0];
        for (int i0 = 0; i0 < n; i0 += CHUNK) {
            int w = Math.min(CHUNK, n - i0);
            System.arraycopy(x, xOff + i0, acc, 0, w);
            for (int i = 0; i < w; i++) {
                acc[i] = Math.min(Math.max(acc[i], lo), hi);
            }
            System.arraycopy(acc, 0, y, yOff + i0, w);
        }
    }

    @Override
    public void maxPool2x2Row(float[] x, int xOff, int top, int inW, float[] y, int yOff, int[] winners, int o,
                              int outW) {
        PoolKernels.maxPool2x2Row(x, xOff, top, inW, y, yOff, winners, o, outW);
    }

    @Override
    public void clampGradient(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n, float lo,
                              float hi) {
        // an integer mask (C2 compiles the int select as a conditional move; a float select or an
        // if would be a branch, mispredicted about every other element on real activations)
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            int keep = (v >= lo) & (v <= hi) ? -1 : 0;
            dx[dxOff + i] += Float.intBitsToFloat(Float.floatToRawIntBits(dy[dyOff + i]) & keep);
        }
    }

    @Override
    public void add(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n, boolean relu) {
        if (relu) {
            float[][] chunks = CHUNKS.get();
            float[] acc = chunks[0];
            float[] other = chunks[1];
            for (int i0 = 0; i0 < n; i0 += CHUNK) {
                int w = Math.min(CHUNK, n - i0);
                System.arraycopy(a, aOff + i0, acc, 0, w);
                System.arraycopy(b, bOff + i0, other, 0, w);
                for (int i = 0; i < w; i++) {
                    acc[i] = Math.max(acc[i] + other[i], 0f);
                }
                System.arraycopy(acc, 0, y, yOff + i0, w);
            }
        } else {
            for (int i = 0; i < n; i++) {
                y[yOff + i] = a[aOff + i] + b[bOff + i];
            }
        }
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += x[xOff + i] * y[yOff + i];
            s1 += x[xOff + i + 1] * y[yOff + i + 1];
            s2 += x[xOff + i + 2] * y[yOff + i + 2];
            s3 += x[xOff + i + 3] * y[yOff + i + 3];
        }
        for (; i < n; i++) {
            s0 += x[xOff + i] * y[yOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
