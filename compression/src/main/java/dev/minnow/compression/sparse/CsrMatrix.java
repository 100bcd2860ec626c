package dev.minnow.compression.sparse;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * A sparse matrix in <b>compressed sparse row</b> (CSR) form: the non-zero values row after row,
 * the column of each, and where each row starts.
 * <pre>
 *   dense                 values   = [5, 8, 3, 6]
 *   [5 0 0 0]             columns  = [0, 1, 2, 1]
 *   [0 8 0 0]             rowStart = [0, 1, 2, 3, 4]     row r = values[rowStart[r] .. rowStart[r+1])
 *   [0 0 3 0]
 *   [0 6 0 0]
 * </pre>
 * Storage is {@code 4 nnz} bytes of values plus {@code 4 nnz + 4 (rows + 1)} bytes of indices,
 * against {@code 4 rows cols} dense: CSR with 32-bit indices is smaller only below 50 % density,
 * and a matrix-vector product reads about twice as many bytes per non-zero as the dense one
 * does per element. Deep Compression's format (relative 4- or 5-bit indices, Huffman-coded) is
 * the compact one for storage; CSR is the one for computing.
 *
 * <p>Immutable. The accessors return the internal arrays for the kernels, which must not modify
 * them.
 */
public final class CsrMatrix {
    private final int rows;
    private final int cols;
    private final int[] rowStart;
    private final int[] columns;
    private final float[] values;

    /**
     * @param rowStart {@code rows + 1} non-decreasing offsets, from 0 to {@code values.length}
     * @param columns  column of each value, increasing within a row, in {@code [0, cols)}
     */
    public CsrMatrix(int rows, int cols, int[] rowStart, int[] columns, float[] values) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("CSR dimensions must be >= 0, got " + rows + " x " + cols);
        }
        if (rowStart.length != rows + 1 || rowStart[0] != 0 || rowStart[rows] != values.length
                || columns.length != values.length) {
            throw new IllegalArgumentException("inconsistent CSR arrays: " + rows + " rows need " + (rows + 1)
                    + " row offsets from 0 to nnz; got " + rowStart.length + " offsets, " + columns.length
                    + " columns and " + values.length + " values");
        }
        for (int r = 0; r < rows; r++) {
            if (rowStart[r + 1] < rowStart[r]) {
                throw new IllegalArgumentException("CSR row offsets decrease at row " + r);
            }
            for (int j = rowStart[r]; j < rowStart[r + 1]; j++) {
                if (columns[j] < 0 || columns[j] >= cols || (j > rowStart[r] && columns[j] <= columns[j - 1])) {
                    throw new IllegalArgumentException("CSR row " + r + ": columns must increase within [0, " + cols
                            + "), found " + columns[j] + " at position " + j);
                }
            }
        }
        this.rows = rows;
        this.cols = cols;
        this.rowStart = rowStart.clone();
        this.columns = columns.clone();
        this.values = values.clone();
    }

    private CsrMatrix(int rows, int cols, int[] rowStart, int[] columns, float[] values, boolean trusted) {
        this.rows = rows;
        this.cols = cols;
        this.rowStart = rowStart;
        this.columns = columns;
        this.values = values;
    }

    /** The non-zero elements of a row-major {@code rows x cols} matrix at {@code a[off + r * cols + c]}. */
    public static CsrMatrix fromDense(float[] a, int off, int rows, int cols) {
        int nnz = 0;
        for (int i = 0, n = rows * cols; i < n; i++) {
            if (a[off + i] != 0f) {
                nnz++;
            }
        }
        int[] rowStart = new int[rows + 1];
        int[] columns = new int[nnz];
        float[] values = new float[nnz];
        int at = 0;
        for (int r = 0; r < rows; r++) {
            int row = off + r * cols;
            for (int c = 0; c < cols; c++) {
                float v = a[row + c];
                if (v != 0f) {
                    columns[at] = c;
                    values[at++] = v;
                }
            }
            rowStart[r + 1] = at;
        }
        return new CsrMatrix(rows, cols, rowStart, columns, values, true);
    }

    /**
     * A tensor viewed as a matrix of {@code dim(0)} rows and {@code size / dim(0)} columns: a
     * fully connected weight {@code [out, in]}, or a convolution's filters {@code [C_out, C_in/group * k...]}.
     */
    public static CsrMatrix fromDense(Tensor t) {
        if (t.rank() < 1) {
            throw new IllegalArgumentException("a CSR matrix needs a tensor of rank >= 1, got " + t.shape());
        }
        int rows = t.shape().dim(0);
        return fromDense(t.data(), t.offset(), rows, rows == 0 ? 0 : t.size() / rows);
    }

    /** The transpose of a row-major {@code rows x cols} matrix, in CSR (of {@code cols} rows). */
    public static CsrMatrix fromDenseTransposed(float[] a, int off, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[off + r * cols + c];
            }
        }
        return fromDense(t, 0, cols, rows);
    }

    /** The dense row-major matrix. */
    public float[] toDense() {
        float[] d = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int j = rowStart[r]; j < rowStart[r + 1]; j++) {
                d[r * cols + columns[j]] = values[j];
            }
        }
        return d;
    }

    /** The dense matrix as a tensor of the given shape (of {@code rows * cols} elements). */
    public Tensor toTensor(Shape shape) {
        return Tensor.of(shape, toDense());
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Number of stored (non-zero) values. */
    public int nnz() {
        return values.length;
    }

    /** {@code nnz / (rows * cols)}. */
    public double density() {
        long n = (long) rows * cols;
        return n == 0 ? 0 : (double) nnz() / n;
    }

    /** Row offsets, {@code rows + 1} of them (do not modify). */
    public int[] rowStart() {
        return rowStart;
    }

    /** Column of every value (do not modify). */
    public int[] columns() {
        return columns;
    }

    /** The non-zero values, row after row (do not modify). */
    public float[] values() {
        return values;
    }

    /** Bytes of the three arrays with 32-bit values and indices. */
    public long bytes() {
        return 4L * (2L * nnz() + rows + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CsrMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.rowStart, rowStart)
                && Arrays.equals(m.columns, columns) && Arrays.equals(m.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "CsrMatrix(%d x %d, nnz %d, density %.2f %%)", rows, cols, nnz(),
                100 * density());
    }
}
