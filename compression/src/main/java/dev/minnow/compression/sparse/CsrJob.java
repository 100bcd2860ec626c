package dev.minnow.compression.sparse;

import dev.minnow.engine.kernel.Parallel;

/**
 * One sparse product split across threads, kept in a node's state slot and reused by every run
 * (no allocation per call). The rows of A (or the slices of its sliced-ELLPACK form) are cut into
 * as many parts as there are threads, at equal counts of entries rather than of rows, since a
 * row's cost is its entry count.
 */
final class CsrJob implements Parallel.RangeBody {
    /** Below this many multiply-adds a second thread costs more than it saves. */
    static final long PARALLEL_THRESHOLD = 1L << 15;

    private final SparseKernels kernels;
    /** For {@link #timesVector(SlicedEllpackMatrix, float[], float[], int, int)}. */
    private final SparseKernels slicedKernels;
    private CsrMatrix a;
    private SlicedEllpackMatrix sliced;
    private Kind kind;
    private int rowFrom;
    private int rowTo;
    private int[] offsets;
    private int parts;
    private int n;
    private float[] b;
    private int bOff;
    private int ldb;
    private float[] c;
    private int cOff;
    private int ldc;

    /** A copy of an operand that does not start at index 0 (grown once, then reused). */
    private float[] copy = new float[0];

    private enum Kind { CSR_TIMES_VECTOR, CSR_TIMES_DENSE, SELL_TIMES_VECTOR }

    CsrJob(SparseKernels kernels) {
        this(kernels, kernels);
    }

    /** With other kernels for the sliced-ELLPACK product than for the CSR ones. */
    CsrJob(SparseKernels kernels, SparseKernels slicedKernels) {
        this.kernels = kernels;
        this.slicedKernels = slicedKernels;
    }

    /** {@code c[cOff + r] = (A x)[r]} for rows {@code [rowFrom, rowTo)}, x at {@code b[bOff..]}. */
    void timesVector(CsrMatrix matrix, int from, int to, float[] x, int xOff, float[] y, int yOff, int threads) {
        set(matrix, Kind.CSR_TIMES_VECTOR, from, to, 1, x, xOff, 0, y, yOff, 0);
        start(matrix.rowStart(), threads);
    }

    /**
     * {@code y[yOff + p] = (A x)[rowOrder[p]]} for every position {@code p < paddedRows}, x from
     * index 0: the sliced-ELLPACK product, in sorted row order; see {@link SparseKernels#sellTimesVector}.
     */
    void timesVector(SlicedEllpackMatrix matrix, float[] x, float[] y, int yOff, int threads) {
        this.sliced = matrix;
        set(null, Kind.SELL_TIMES_VECTOR, 0, matrix.slices(), 1, x, 0, 0, y, yOff, 0);
        start(matrix.sliceStart(), threads);
    }

    /**
     * {@code data[off .. off + n)} in an array starting at index 0:
     * {@code data} itself when {@code off == 0}, else a copy.
     */
    float[] fromIndexZero(float[] data, int off, int n) {
        if (off == 0) {
            return data;
        }
        if (copy.length < n) {
            copy = new float[n];
        }
        System.arraycopy(data, off, copy, 0, n);
        return copy;
    }

    /** {@code C[r][0..n) = (A B)[r]} for rows {@code [rowFrom, rowTo)}; see {@link SparseKernels#csrTimesDense}. */
    void timesDense(CsrMatrix matrix, int from, int to, int cols, float[] bData, int bOffset, int bStride,
                    float[] cData, int cOffset, int cStride, int threads) {
        set(matrix, Kind.CSR_TIMES_DENSE, from, to, cols, bData, bOffset, bStride, cData, cOffset, cStride);
        start(matrix.rowStart(), threads);
    }

    private void set(CsrMatrix matrix, Kind what, int from, int to, int cols, float[] bData, int bOffset,
                     int bStride, float[] cData, int cOffset, int cStride) {
        this.a = matrix;
        this.kind = what;
        this.rowFrom = from;
        this.rowTo = to;
        this.n = cols;
        this.b = bData;
        this.bOff = bOffset;
        this.ldb = bStride;
        this.c = cData;
        this.cOff = cOffset;
        this.ldc = cStride;
    }

    /** Runs the product over {@code [rowFrom, rowTo)}, the units (rows or slices) starting at {@code offsets}. */
    private void start(int[] offsets, int threads) {
        this.offsets = offsets;
        long work = (long) (offsets[rowTo] - offsets[rowFrom]) * n;
        parts = work < PARALLEL_THRESHOLD ? 1 : Math.max(1, Math.min(threads, rowTo - rowFrom));
        try {
            if (parts == 1) {
                run(0, 1);
            } else {
                Parallel.forRange(parts, parts, this);
            }
        } finally {
            b = null;
            c = null;
            a = null;
            sliced = null;
            offsets = null;
        }
    }

    @Override
    public void run(int from, int to) {
        int r0 = rowAt(from);
        int r1 = rowAt(to);
        if (r0 >= r1) {
            return;
        }
        switch (kind) {
            case CSR_TIMES_VECTOR -> kernels.csrTimesVector(a.rowStart(), a.columns(), a.values(), r0, r1, b, bOff, c,
                    cOff);
            case CSR_TIMES_DENSE -> kernels.csrTimesDense(a.rowStart(), a.columns(), a.values(), r0, r1, n, b, bOff,
                    ldb, c, cOff, ldc);
            case SELL_TIMES_VECTOR -> slicedKernels.sellTimesVector(sliced.sliceStart(), sliced.columns(),
                    sliced.values(), r0, r1, b, c, cOff);
        }
    }

    /** The first row (or slice) of part {@code part}: where the running entry count reaches part / parts. */
    private int rowAt(int part) {
        if (part <= 0) {
            return rowFrom;
        }
        if (part >= parts) {
            return rowTo;
        }
        int[] rs = offsets;
        long target = rs[rowFrom] + (long) (rs[rowTo] - rs[rowFrom]) * part / parts;
        int lo = rowFrom;
        int hi = rowTo;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (rs[mid] < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
