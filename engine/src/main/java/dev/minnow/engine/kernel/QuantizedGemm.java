package dev.minnow.engine.kernel;

/**
 * Integer matrix multiplication, the core of quantized Conv and Gemm: {@code Y = requantize(W * B)}
 * for packed 8-bit weights {@code W [m x k]} ({@link PackedInt8}) and 8-bit activations
 * {@code B [k x n]} from an {@link Int8Columns} source, accumulated in int32 and written as 8-bit
 * outputs by a {@link Requantization}, all in integer arithmetic.
 *
 * <p><b>The pair layout</b> of the right operand: its rows go in pairs {@code (2t, 2t+1)}, and
 * each int32 holds {@code u(B[2t][j]) | u(B[2t+1][j]) << 16}. Columns are grouped in panels of
 * {@value #PANEL_COLUMNS}, each panel stored pair by pair; the last {@code n mod 4} columns form a
 * narrower panel ({@link #pairIndex}), so a single column (batch 1) wastes nothing.
 *
 * <p><b>Work split.</b> One column (a fully connected layer at batch 1) is a matrix-vector
 * product ({@link Int8Kernels#gemv}): the column is paired once, threads take ranges of weight
 * panels, each weight byte is read once. For a few more columns (a fully connected layer at batch 1, memory-bound) the
 * columns are paired once and threads take ranges of weight panels; otherwise threads take
 * blocks of {@value #BLOCK_COLUMNS} columns and each runs every weight panel over its block.
 * Nothing is allocated once the per-thread buffers have grown.
 *
 * <p>{@link #matmulNaive} is the reference: the textbook triple loop over
 * {@code (a - za)(b - zb)} with per-row and per-column zero points (ONNX's MatMulInteger).
 */
public final class QuantizedGemm {
    /** Columns per panel of the pair layout. */
    public static final int PANEL_COLUMNS = 4;
    /** Largest reduction length: {@code K * 255^2} must stay below {@code 2^31}. */
    public static final int MAX_DEPTH = 33_000;
    /** Columns per parallel block. */
    static final int BLOCK_COLUMNS = 64;
    /** Up to this many columns, the columns are paired once and threads split the rows. */
    static final int FEW_COLUMNS = 8;
    private static final long PARALLEL_THRESHOLD = 1L << 16;

    private QuantizedGemm() {
    }

    /** Where pair {@code t} of column {@code j} of an {@code n}-column block with {@code kp} pairs per column lives. */
    public static int pairIndex(int n, int kp, int t, int j) {
        int full = n / PANEL_COLUMNS * PANEL_COLUMNS;
        return j < full ? (j - j % PANEL_COLUMNS) * kp + t * PANEL_COLUMNS + j % PANEL_COLUMNS
                : full * kp + t * (n - full) + (j - full);
    }

    /**
     * Writes one row {@code p} of B (unsigned values {@code vals[0 .. count)}) into the pair
     * layout: the low half of the pair when {@code p} is even (clearing the high half), the high
     * half when odd. Rows must come in increasing order.
     */
    public static void scatterRow(int[] vals, int count, int p, int kp, int[] dst) {
        int t = p >> 1;
        int full = count / PANEL_COLUMNS * PANEL_COLUMNS;
        if ((p & 1) == 0) {
            for (int j0 = 0; j0 < full; j0 += PANEL_COLUMNS) {
                int at = j0 * kp + t * PANEL_COLUMNS;
                dst[at] = vals[j0];
                dst[at + 1] = vals[j0 + 1];
                dst[at + 2] = vals[j0 + 2];
                dst[at + 3] = vals[j0 + 3];
            }
            int width = count - full;
            for (int j = full, at = full * kp + t * width; j < count; j++, at++) {
                dst[at] = vals[j];
            }
        } else {
            for (int j0 = 0; j0 < full; j0 += PANEL_COLUMNS) {
                int at = j0 * kp + t * PANEL_COLUMNS;
                dst[at] |= vals[j0] << 16;
                dst[at + 1] |= vals[j0 + 1] << 16;
                dst[at + 2] |= vals[j0 + 2] << 16;
                dst[at + 3] |= vals[j0 + 3] << 16;
            }
            int width = count - full;
            for (int j = full, at = full * kp + t * width; j < count; j++, at++) {
                dst[at] |= vals[j] << 16;
            }
        }
    }

    /** As {@link #scatterRow} for a row stored as bytes {@code src[srcOff ..]}, made unsigned by {@code ^ flip}. */
    public static void scatterBytes(byte[] src, int srcOff, int flip, int count, int p, int kp, int[] dst) {
        int t = p >> 1;
        int full = count / PANEL_COLUMNS * PANEL_COLUMNS;
        int width = count - full;
        if ((p & 1) == 0) {
            for (int j0 = 0; j0 < full; j0 += PANEL_COLUMNS) {
                int at = j0 * kp + t * PANEL_COLUMNS;
                int s = srcOff + j0;
                dst[at] = (src[s] & 0xFF) ^ flip;
                dst[at + 1] = (src[s + 1] & 0xFF) ^ flip;
                dst[at + 2] = (src[s + 2] & 0xFF) ^ flip;
                dst[at + 3] = (src[s + 3] & 0xFF) ^ flip;
            }
            for (int j = full, at = full * kp + t * width; j < count; j++, at++) {
                dst[at] = (src[srcOff + j] & 0xFF) ^ flip;
            }
        } else {
            for (int j0 = 0; j0 < full; j0 += PANEL_COLUMNS) {
                int at = j0 * kp + t * PANEL_COLUMNS;
                int s = srcOff + j0;
                dst[at] |= ((src[s] & 0xFF) ^ flip) << 16;
                dst[at + 1] |= ((src[s + 1] & 0xFF) ^ flip) << 16;
                dst[at + 2] |= ((src[s + 2] & 0xFF) ^ flip) << 16;
                dst[at + 3] |= ((src[s + 3] & 0xFF) ^ flip) << 16;
            }
            for (int j = full, at = full * kp + t * width; j < count; j++, at++) {
                dst[at] |= ((src[srcOff + j] & 0xFF) ^ flip) << 16;
            }
        }
    }

    /**
     * {@code y[yOff + i*rowStride + j*colStride] = rq(W * B)[i][j]} with the kernels that packed
     * {@code w}, on up to {@code threads} threads.
     */
    public static void multiply(PackedInt8 w, Int8Columns b, Requantization rq, byte[] y, int yOff, int rowStride,
                                int colStride, int threads) {
        if (w.columns() != b.rows()) {
            throw new IllegalArgumentException("int8 weights are " + w.rows() + " x " + w.columns() + " but the input has "
                    + b.rows() + " rows");
        }
        if (rq.rows() != w.rows()) {
            throw new IllegalArgumentException("requantization for " + rq.rows() + " rows, weights have " + w.rows());
        }
        int n = b.columns();
        int m = w.rows();
        if (n == 0 || m == 0) {
            return;
        }
        long work = (long) m * n * Math.max(1, w.columns());
        Job job = JOBS.get();
        job.w = w;
        job.b = b;
        job.rq = rq;
        job.y = y;
        job.yOff = yOff;
        job.rowStride = rowStride;
        job.colStride = colStride;
        job.n = n;
        try {
            if (n <= FEW_COLUMNS) {
                Workspace ws = WORKSPACE.get();
                int kp = w.pairs();
                job.pairs = ws.pairs(kp * n);
                job.colSums = ws.colSums(n);
                b.copyPairs(0, n, job.pairs);
                columnSums(job.pairs, n, kp, job.colSums);
                job.byRows = true;
                job.raw = n == 1 ? ws.raw(w.panels() * w.panelRows()) : null;
                Parallel.forRange(work < PARALLEL_THRESHOLD ? 1 : threads, w.panels(), job);
            } else {
                job.byRows = false;
                int blocks = (n + BLOCK_COLUMNS - 1) / BLOCK_COLUMNS;
                Parallel.forRange(work < PARALLEL_THRESHOLD ? 1 : Math.min(threads, blocks), blocks, job);
            }
        } finally {
            job.w = null;
            job.b = null;
            job.rq = null;
            job.y = null;
            job.pairs = null;
            job.colSums = null;
            job.raw = null;
        }
    }

    /** {@code colSums[j] = sum over pairs of column j of (lo + hi)}. */
    static void columnSums(int[] pairs, int n, int kp, int[] colSums) {
        for (int j = 0; j < n; j++) {
            int s = 0;
            for (int t = 0; t < kp; t++) {
                int v = pairs[pairIndex(n, kp, t, j)];
                s += (v & 0xFFFF) + (v >>> 16);
            }
            colSums[j] = s;
        }
    }

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Per-thread buffers, grown once: pairs of a column block, its column sums, one tile of results. */
    private static final class Workspace {
        private int[] pairs = new int[0];
        private int[] colSums = new int[0];
        private int[] tile = new int[0];
        private int[] raw = new int[0];

        int[] raw(int size) {
            if (raw.length < size) {
                raw = new int[size];
            }
            return raw;
        }

        int[] pairs(int size) {
            if (pairs.length < size) {
                pairs = new int[size];
            }
            return pairs;
        }

        int[] colSums(int size) {
            if (colSums.length < size) {
                colSums = new int[size];
            }
            return colSums;
        }

        int[] tile(int size) {
            if (tile.length < size) {
                tile = new int[size];
            }
            return tile;
        }
    }

    /** One product, reused by its calling thread: ranges of weight panels, or of column blocks. */
    private static final class Job implements Parallel.RangeBody {
        PackedInt8 w;
        Int8Columns b;
        Requantization rq;
        byte[] y;
        int[] pairs;
        int[] colSums;
        /** The matrix-vector product's raw sums, one per row (all threads write their own panels). */
        int[] raw;
        int yOff;
        int rowStride;
        int colStride;
        int n;
        boolean byRows;

        @Override
        public void run(int from, int to) {
            Int8Kernels k = w.owner();
            int rows = w.panelRows();
            if (raw != null) {
                k.gemv(w, from, to, pairs, raw);
                int last = Math.min(w.rows(), to * rows);
                for (int i = from * rows, at = yOff + i * rowStride; i < last; i++, at += rowStride) {
                    y[at] = (byte) rq.apply(i, raw[i], colSums[0]);
                }
                return;
            }
            if (byRows) {
                int[] tile = WORKSPACE.get().tile(rows * n);
                for (int q = from; q < to; q++) {
                    k.gemmPanel(w, q, pairs, n, tile, null);
                    store(q, tile, n, 0, colSums);
                }
                return;
            }
            Workspace ws = WORKSPACE.get();
            int kp = w.pairs();
            int[] blockPairs = ws.pairs(kp * BLOCK_COLUMNS);
            int[] sums = ws.colSums(BLOCK_COLUMNS);
            int[] tile = ws.tile(rows * BLOCK_COLUMNS);
            for (int blk = from; blk < to; blk++) {
                int j0 = blk * BLOCK_COLUMNS;
                int nb = Math.min(BLOCK_COLUMNS, n - j0);
                b.copyPairs(j0, nb, blockPairs);
                for (int q = 0; q < w.panels(); q++) {
                    k.gemmPanel(w, q, blockPairs, nb, tile, q == 0 ? sums : null);
                    store(q, tile, nb, j0, sums);
                }
            }
        }

        /** Requantizes one panel's tile ({@code tile[j * rows + r]}) into Y. */
        private void store(int q, int[] tile, int nb, int j0, int[] sums) {
            int rows = w.panelRows();
            int i0 = q * rows;
            int last = Math.min(rows, w.rows() - i0);
            for (int r = 0; r < last; r++) {
                int i = i0 + r;
                int at = yOff + i * rowStride + j0 * colStride;
                for (int j = 0; j < nb; j++, at += colStride) {
                    y[at] = (byte) rq.apply(i, tile[j * rows + r], sums[j]);
                }
            }
        }
    }

    /** An 8-bit value as an int: sign-extended for int8, zero-extended for uint8. */
    public static int value(byte v, boolean signed) {
        return signed ? v : v & 0xFF;
    }

    /**
     * The reference: {@code y[i][j] = sum_p (A[i][p] - za[i]) * (B[p][j] - zb[j])} in int32, with
     * A {@code [m x k]} and B {@code [k x n]} row-major, each int8 or uint8, and zero points given
     * once ({@code length 1}) or per row of A / per column of B.
     */
    public static void matmulNaive(int m, int n, int k, byte[] a, int aOff, boolean aSigned, int[] za,
                                   byte[] b, int bOff, boolean bSigned, int[] zb, int[] y, int yOff) {
        for (int i = 0; i < m; i++) {
            int zai = za.length == 1 ? za[0] : za[i];
            for (int j = 0; j < n; j++) {
                int zbj = zb.length == 1 ? zb[0] : zb[j];
                int acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += (value(a[aOff + i * k + p], aSigned) - zai) * (value(b[bOff + p * n + j], bSigned) - zbj);
                }
                y[yOff + i * n + j] = acc;
            }
        }
    }
}
