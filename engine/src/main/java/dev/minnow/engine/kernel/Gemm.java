package dev.minnow.engine.kernel;

/**
 * General matrix multiplication, the workhorse under Gemm, MatMul and every convolution that is
 * not depthwise: {@code C = alpha * op(A) * op(B) + beta * C}, with {@code op(A)} an
 * {@code m x k} matrix and {@code op(B)} a {@code k x n} matrix, all row-major.
 *
 * <p>{@link #sgemm} splits C across threads (by column blocks when C is wide, by row blocks when
 * it is tall) and hands each thread's slice to the chosen {@link SimdKernels} implementation,
 * which blocks for the caches and packs. {@link #sgemmNaive} is the reference it is tested
 * against: the textbook triple loop.
 *
 * <p>FLOPs: {@code 2 m n k}. On a core with two 256-bit FMA units at 3.2 GHz the peak is
 * {@code 2 units x 8 lanes x 2 flops x 3.2 GHz = 102.4 GFLOP/s}.
 */
public final class Gemm {
    /** Below this many multiply-adds a second thread costs more than it saves. */
    static final long PARALLEL_THRESHOLD = 1L << 16;
    /** Ranges per thread where a range costs nothing to start (see {@link Parallel#forRange(int, int, int, Parallel.RangeBody)}). */
    static final int CHUNKS_PER_THREAD = 4;
    /** {@code -Dminnow.gemm.fewPanelRows=false} turns {@link #vectorByRows} off (to measure it). */
    static final boolean FEW_PANEL_ROWS = !"false".equals(System.getProperty("minnow.gemm.fewPanelRows"));
    /**
     * Columns per thread below which the scalar kernel's work is split by rows instead
     * ({@link #scalarByRows}): its inner loop runs along the columns, C2 unrolls the vector loop
     * to 32 floats per iteration, and a slice not much wider than that runs largely in the scalar
     * pre- and post-loops (0.39 ns per multiply-add at 32 columns, 0.14 at 40, 0.06 at 512, once
     * the loop was compiled on wide products).
     */
    static final int SCALAR_MIN_COLUMNS = 128;

    private Gemm() {
    }

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C} with the selected kernels, using up to
     * {@code threads} threads. With {@code beta == 0} C is only written (NaNs in it are ignored).
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc, int threads) {
        sgemm(KernelProvider.kernels(), transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc, threads);
    }

    /** As {@link #sgemm(boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int, int)} with explicit kernels (tests, benchmarks). */
    public static void sgemm(SimdKernels kernels, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc, int threads) {
        checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (beta != 0f && beta != 1f) {
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
        boolean accumulate = beta != 0f;
        if (m == 1 && k > 0 && (!transA || lda == 1)) {
            vectorTimesMatrix(kernels, transB, n, k, alpha, a, aOff, b, bOff, ldb, c, cOff, accumulate, threads);
            return;
        }
        long work = (long) m * n * k;
        int t = work < PARALLEL_THRESHOLD ? 1 : Math.max(1, threads);
        if (t == 1) {
            kernels.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        GemmJob job = JOBS.get();
        job.set(kernels, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        job.byColumns = kernels == ScalarKernels.INSTANCE ? !scalarByRows(m, n, t) : n >= m;
        job.columnsPerUnit = kernels.tileColumns();
        try {
            Parallel.forRange(t, job.byColumns ? (n + job.columnsPerUnit - 1) / job.columnsPerUnit : (m + 3) / 4, job);
        } finally {
            job.clear();
        }
    }

    /**
     * Whether the scalar kernel's share of an {@code m x n} product should be cut by rows rather
     * than by columns across {@code t} threads: when column slices would be narrower than
     * {@link #SCALAR_MIN_COLUMNS} and there are rows enough for every thread.
     */
    static boolean scalarByRows(int m, int n, int t) {
        return n < SCALAR_MIN_COLUMNS * t && m >= 8 * t;
    }

    private static final ThreadLocal<GemmJob> JOBS = ThreadLocal.withInitial(GemmJob::new);
    private static final ThreadLocal<GemvJob> GEMV_JOBS = ThreadLocal.withInitial(GemvJob::new);

    /**
     * The batch-1 case of a fully connected layer, {@code c = alpha * a * op(B) (+ c)} with a single
     * row {@code a}: a matrix-vector product, memory-bound (each weight is used once), so instead
     * of packing B it streams B once: dot products of {@code a} with the rows of B when B is
     * transposed (PyTorch's Linear layout), a sum of scaled rows of B otherwise. Threads take
     * ranges of output columns.
     */
    private static void vectorTimesMatrix(SimdKernels kernels, boolean transB, int n, int k, float alpha,
                                          float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff,
                                          boolean accumulate, int threads) {
        GemvJob job = GEMV_JOBS.get();
        job.kernels = kernels;
        job.transB = transB;
        job.n = n;
        job.k = k;
        job.alpha = alpha;
        job.a = a;
        job.aOff = aOff;
        job.b = b;
        job.bOff = bOff;
        job.ldb = ldb;
        job.c = c;
        job.cOff = cOff;
        job.accumulate = accumulate;
        long work = (long) n * k;
        int blocks = (n + 63) / 64;
        try {
            Parallel.forRange(work < PARALLEL_THRESHOLD * 4 ? 1 : threads, blocks, CHUNKS_PER_THREAD, job);
        } finally {
            job.a = null;
            job.b = null;
            job.c = null;
            job.kernels = null;
        }
    }

    /** One matrix-vector product, reused by its calling thread: ranges of 64 output columns. */
    private static final class GemvJob implements Parallel.RangeBody {
        SimdKernels kernels;
        boolean transB;
        boolean accumulate;
        int n;
        int k;
        int aOff;
        int bOff;
        int ldb;
        int cOff;
        float alpha;
        float[] a;
        float[] b;
        float[] c;

        @Override
        public void run(int from, int to) {
            int j0 = from * 64;
            int j1 = Math.min(n, to * 64);
            if (transB) {
                for (int j = j0; j < j1; j++) {
                    float v = alpha * kernels.dot(k, a, aOff, b, bOff + j * ldb);
                    c[cOff + j] = accumulate ? c[cOff + j] + v : v;
                }
            } else {
                if (!accumulate) {
                    java.util.Arrays.fill(c, cOff + j0, cOff + j1, 0f);
                }
                for (int p = 0; p < k; p++) {
                    kernels.axpy(j1 - j0, alpha * a[aOff + p], b, bOff + p * ldb + j0, c, cOff + j0);
                }
            }
        }
    }
    private static final ThreadLocal<PackedJob> PACKED_JOBS = ThreadLocal.withInitial(PackedJob::new);

    /**
     * {@code C = clamp(A * B + bias, lo, hi)} for a prepacked left operand (a layer's weights) and a
     * column source (a matrix, or a convolution's implicit im2col), split by columns across up to
     * {@code threads} threads. {@code bias} (one value per row of C) may be null; pass infinities
     * for no clamp.
     */
    public static void sgemmPacked(PackedLeft a, ColumnSource b, float[] c, int cOff, int ldc,
                                   float[] bias, int biasOff, float lo, float hi, int threads) {
        sgemmPacked(a, b, null, c, cOff, ldc, bias, biasOff, lo, hi, threads);
    }

    /**
     * A convolution's product over its <em>wide</em> columns ({@link ConvColumns#setWide}) written
     * straight to its output planes at {@code y[yOff]}: each thread multiplies its columns a block
     * at a time into a small buffer of its own and copies the real columns out at once
     * ({@link ConvColumns#copyOutColumns}), so the wide product is never stored whole. Before, it
     * went to a scratch matrix (64 x 3,133 floats for SqueezeNet's 16 -> 64 on 55x55) that the
     * threads then copied from, the copy reading what the other core had written.
     */
    public static void sgemmPackedWide(PackedLeft a, ConvColumns b, float[] y, int yOff, float[] bias, int biasOff,
                                       float lo, float hi, int threads) {
        sgemmPacked(a, b, b, y, yOff, 0, bias, biasOff, lo, hi, threads);
    }

    /**
     * Whether a packed product on the vector kernels is shared among {@code threads} threads by rows
     * (whole 8-row units) rather than by register tiles of columns: when its {@code tiles} of
     * columns are fewer than two per thread. Split by columns, every thread then streams all of A
     * for one or two tiles: ResNet-18's last stage (512 x 4,608 weights, 9.4 MB, on 49 columns)
     * ran 0.85x by rows at 2 threads, ResNet-18 as a whole 0.95x (docs/avx512.md, section 10).
     */
    static boolean vectorByRows(int rows, int tiles, int threads) {
        return FEW_PANEL_ROWS && threads > 1 && tiles < 2 * threads && rows >= 16 * threads;
    }

    private static void sgemmPacked(PackedLeft a, ColumnSource b, ConvColumns wide, float[] c, int cOff, int ldc,
                                    float[] bias, int biasOff, float lo, float hi, int threads) {
        if (a.columns() != b.rows()) {
            throw new IllegalArgumentException("packed A is " + a.rows() + " x " + a.columns() + " but B has "
                    + b.rows() + " rows");
        }
        int n = b.columns();
        long work = (long) a.rows() * n * a.columns();
        int tile = a.owner().tileColumns();
        int blocks = (n + tile - 1) / tile;
        int threadsWanted = work < PARALLEL_THRESHOLD ? 1 : Math.max(1, threads);
        // the scalar kernel runs its inner loop along the columns: give it rows instead of narrow
        // column slices, one range of whole 4-row blocks per thread; the vector kernel takes rows
        // only when the columns are too few to share (vectorByRows)
        boolean scalar = a.owner() == ScalarKernels.INSTANCE;
        // ... unless the scalar kernel runs the product column by column: then whole 4-column groups
        boolean byQuads = scalar && ScalarKernels.columnwisePays(a.rows(), n);
        boolean byRows = scalar ? !byQuads && scalarByRows(a.rows(), n, threadsWanted)
                : wide == null && vectorByRows(a.rows(), blocks, threadsWanted);
        // (rows in whole 8-row units for the vector kernel: its register tiles are 4 or 8 rows)
        int rowsPerUnit = scalar ? 4 : 8;
        int rowUnits = (a.rows() + rowsPerUnit - 1) / rowsPerUnit;
        int t = Math.min(threadsWanted, byQuads ? (n + 3) / 4 : byRows ? rowUnits : blocks);
        if (t == 1 && wide == null) {
            a.owner().gemmPacked(a, 0, a.rows(), b, 0, n, c, cOff, ldc, bias, biasOff, lo, hi);
            return;
        }
        // otherwise several chunks per thread, claimed dynamically, but each at least 4 panels
        // wide so that re-reading the packed A per chunk stays cheap next to the chunk's arithmetic
        // (for the scalar kernel at least 2 * SCALAR_MIN_COLUMNS wide, for its inner loop's sake)
        int minChunk = scalar ? 2 * SCALAR_MIN_COLUMNS / tile : 4;
        int perThread = Math.max(1, Math.min(CHUNKS_PER_THREAD, blocks / (minChunk * t)));
        PackedJob job = PACKED_JOBS.get();
        job.wide = wide;
        job.byRows = byRows;
        job.rowsPerUnit = rowsPerUnit;
        job.columnsPerUnit = byQuads ? 4 : tile;
        job.a = a;
        job.b = b;
        job.n = n;
        job.c = c;
        job.cOff = cOff;
        job.ldc = ldc;
        job.bias = bias;
        job.biasOff = biasOff;
        job.lo = lo;
        job.hi = hi;
        try {
            if (t == 1) {
                job.run(0, blocks);
            } else if (byRows) {
                Parallel.forRange(t, rowUnits, job);
            } else if (byQuads) {
                Parallel.forRange(t, (n + 3) / 4, job);
            } else {
                Parallel.forRange(t, blocks, perThread, job);
            }
        } finally {
            job.a = null;
            job.b = null;
            job.c = null;
            job.bias = null;
            job.wide = null;
        }
    }

    /**
     * One parallel packed GEMM, reused by its calling thread: slices of whole register tiles per thread,
     * or, for the scalar kernel on a narrow product, whole 4-row blocks, or whole 4-column groups
     * when it runs the product column by column.
     */
    private static final class PackedJob implements Parallel.RangeBody {
        boolean byRows;
        /** Rows per unit of a split by rows: 4 for the scalar kernel, 8 for the vector one. */
        int rowsPerUnit;
        /** Columns per unit of a split by columns: a register tile's, or 4 for the scalar column-wise kernel. */
        int columnsPerUnit;
        PackedLeft a;
        ColumnSource b;
        float[] c;
        float[] bias;
        int n;
        int cOff;
        int ldc;
        int biasOff;
        float lo;
        float hi;

        /** Not null for {@link #sgemmPackedWide}: C is that convolution's output, reached through a local buffer. */
        ConvColumns wide;

        @Override
        public void run(int from, int to) {
            if (wide != null) {
                runWide(from * columnsPerUnit, Math.min(n, to * columnsPerUnit));
                return;
            }
            if (byRows) {
                int i0 = from * rowsPerUnit;
                int i1 = Math.min(a.rows(), to * rowsPerUnit);
                a.owner().gemmPacked(a, i0, i1 - i0, b, 0, n, c, cOff, ldc, bias, biasOff, lo, hi);
                return;
            }
            int j0 = from * columnsPerUnit;
            int j1 = Math.min(n, to * columnsPerUnit);
            a.owner().gemmPacked(a, 0, a.rows(), b, j0, j1 - j0, c, cOff + j0, ldc, bias, biasOff, lo, hi);
        }

        /** Columns {@code [j0, j1)} of a wide product, block by block through this thread's buffer into the output. */
        private void runWide(int j0, int j1) {
            int m = a.rows();
            float[][] holder = WIDE_BUFFERS.get();
            if (holder[0].length < m * WIDE_BLOCK) {
                holder[0] = new float[m * WIDE_BLOCK];
            }
            float[] local = holder[0];
            for (int q = j0; q < j1; q += WIDE_BLOCK) {
                int width = Math.min(WIDE_BLOCK, j1 - q);
                a.owner().gemmPacked(a, 0, m, wide, q, width, local, 0, width, bias, biasOff, lo, hi);
                wide.copyOutColumns(local, width, q, q + width, c, cOff, m);
            }
        }
    }

    /** Columns of a wide product multiplied into the local buffer at a time (8 register tiles at 512 bits). */
    private static final int WIDE_BLOCK = 256;
    private static final ThreadLocal<float[][]> WIDE_BUFFERS = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * One parallel GEMM, reused by its calling thread so that a call allocates nothing: C is cut
     * into column slices (whole register tiles, {@link SimdKernels#tileColumns()}) when it is wide, into row slices
     * (multiples of 4) when it is tall, and each thread multiplies its slice.
     */
    private static final class GemmJob implements Parallel.RangeBody {
        SimdKernels kernels;
        boolean transA;
        boolean transB;
        boolean byColumns;
        boolean accumulate;
        /** Columns per unit of the range when split by columns: {@link SimdKernels#tileColumns()}. */
        int columnsPerUnit;
        int m;
        int n;
        int k;
        int aOff;
        int lda;
        int bOff;
        int ldb;
        int cOff;
        int ldc;
        float alpha;
        float[] a;
        float[] b;
        float[] c;

        void set(SimdKernels kernels, boolean transA, boolean transB, int m, int n, int k, float alpha,
                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                 boolean accumulate) {
            this.kernels = kernels;
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.accumulate = accumulate;
        }

        void clear() {
            a = null;
            b = null;
            c = null;
            kernels = null;
        }

        @Override
        public void run(int from, int to) {
            if (byColumns) {
                int j0 = from * columnsPerUnit;
                int j1 = Math.min(n, to * columnsPerUnit);
                kernels.gemm(transA, transB, m, j1 - j0, k, alpha, a, aOff, lda,
                        b, transB ? bOff + j0 * ldb : bOff + j0, ldb, c, cOff + j0, ldc, accumulate);
            } else {
                int i0 = from * 4;
                int i1 = Math.min(m, to * 4);
                kernels.gemm(transA, transB, i1 - i0, n, k, alpha, a, transA ? aOff + i0 : aOff + i0 * lda, lda,
                        b, bOff, ldb, c, cOff + i0 * ldc, ldc, accumulate);
            }
        }
    }

    /**
     * The reference: {@code C[i][j] = alpha * sum_p op(A)[i][p] * op(B)[p][j] + beta * C[i][j]},
     * summed in order of p in float, exactly as written.
     */
    public static void sgemmNaive(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float beta, float[] c, int cOff, int ldc) {
        checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = alpha * sum + (beta == 0f ? 0f : beta * c[ci]);
            }
        }
    }

    private static void checkArgs(boolean transA, boolean transB, int m, int n, int k,
                                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm sizes must be non-negative, got m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        checkMatrix("A", a, aOff, lda, aRows, aCols);
        checkMatrix("B", b, bOff, ldb, bRows, bCols);
        checkMatrix("C", c, cOff, ldc, m, n);
    }

    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (ld < cols) {
            throw new IllegalArgumentException("leading dimension of " + name + " is " + ld + " but it has " + cols + " columns");
        }
        long last = (long) off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > x.length) {
            throw new IllegalArgumentException(name + " (" + rows + " x " + cols + ", ld " + ld + ", offset " + off
                    + ") does not fit in an array of " + x.length);
        }
    }
}
