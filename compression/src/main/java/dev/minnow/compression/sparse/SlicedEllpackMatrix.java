package dev.minnow.compression.sparse;

import java.util.Arrays;
import java.util.Locale;

/**
 * A sparse matrix in <b>sliced ELLPACK</b> form, SELL-C-&sigma; with C = {@link #SLICE} = 8 and
 * &sigma; = all rows (Kreutzer, Hager, Wellein, Fehske, Bishop, "A unified sparse matrix data
 * format for efficient general sparse matrix-vector multiplication on modern processors with wide
 * SIMD units", SIAM J. Sci. Comput. 36(5), 2014): the layout the matrix-vector kernels read, made
 * from a {@link CsrMatrix} once, inside the op that uses it.
 * <pre>
 *   1. sort the rows by non-zero count, longest first (rowOrder[p] = the row at position p);
 *   2. cut the sorted rows into slices of 8, the last one padded with empty rows;
 *   3. store each slice column-major, every row padded to the slice's longest row:
 *        entry (slice s, step t, lane i) at  sliceStart[s] + 8 t + i
 *        = the t-th non-zero of row rowOrder[8 s + i], or a padding entry (value 0).
 *   y'[8 s + i] = sum over t of values[sliceStart[s] + 8 t + i] * x[columns[sliceStart[s] + 8 t + i]]
 *   y[rowOrder[p]] = y'[p]
 * </pre>
 * Why not CSR directly: a CSR row of a 90 %-sparse 784-input layer holds about 78 non-zeros whose
 * count varies from row to row, so every row ends with a loop exit the branch predictor misses, a
 * remainder loop and a horizontal sum — costs of the order of the row's useful work. In SELL the
 * eight rows of a slice advance together: eight independent sums (one per lane, or one vector of
 * eight lanes fed by a gather), one loop exit per slice, no remainder, no horizontal sum. Sorting
 * makes the rows of a slice nearly equally long, so padding adds little (a few percent).
 *
 * <p>A padding entry repeats its row's last column (column 0 for an empty row) with the value 0:
 * it reads an input the row reads anyway (an empty row reads x[0]), so the result equals the CSR
 * product except when that input is infinite or NaN: then the row gives NaN, as the dense product
 * does (0 &middot; &infin; = NaN), where CSR would skip it.
 *
 * <p>Immutable; the accessors return the internal arrays for the kernels, which must not modify them.
 */
public final class SlicedEllpackMatrix {
    /** Rows per slice: the lanes of a 256-bit float vector. */
    public static final int SLICE = 8;

    private final int rows;
    private final int cols;
    private final int nnz;
    private final int[] sliceStart;
    private final int[] columns;
    private final float[] values;
    private final int[] rowOrder;

    private SlicedEllpackMatrix(int rows, int cols, int nnz, int[] sliceStart, int[] columns, float[] values,
                                int[] rowOrder) {
        this.rows = rows;
        this.cols = cols;
        this.nnz = nnz;
        this.sliceStart = sliceStart;
        this.columns = columns;
        this.values = values;
        this.rowOrder = rowOrder;
    }

    /** The SELL-8-&sigma; form of {@code m} (&sigma; = all rows: one global sort by row length). */
    public static SlicedEllpackMatrix of(CsrMatrix m) {
        int rows = m.rows();
        int[] rs = m.rowStart();
        int[] rowOrder = rowsByLengthDescending(rs, rows);
        int slices = (rows + SLICE - 1) / SLICE;
        int[] sliceStart = new int[slices + 1];
        for (int s = 0; s < slices; s++) {
            int longest = 0;
            for (int p = s * SLICE; p < Math.min(rows, (s + 1) * SLICE); p++) {
                longest = Math.max(longest, rs[rowOrder[p] + 1] - rs[rowOrder[p]]);
            }
            sliceStart[s + 1] = Math.addExact(sliceStart[s], SLICE * longest);
        }
        int[] columns = new int[sliceStart[slices]];
        float[] values = new float[sliceStart[slices]];
        int[] srcColumns = m.columns();
        float[] srcValues = m.values();
        for (int s = 0; s < slices; s++) {
            for (int i = 0; i < SLICE && s * SLICE + i < rows; i++) {
                int r = rowOrder[s * SLICE + i];
                int at = sliceStart[s] + i;
                int padColumn = rs[r + 1] > rs[r] ? srcColumns[rs[r + 1] - 1] : 0;
                for (int j = rs[r]; j < rs[r + 1]; j++, at += SLICE) {
                    columns[at] = srcColumns[j];
                    values[at] = srcValues[j];
                }
                for (; at < sliceStart[s + 1]; at += SLICE) {
                    columns[at] = padColumn;
                }
            }
        }
        return new SlicedEllpackMatrix(rows, m.cols(), m.nnz(), sliceStart, columns, values, rowOrder);
    }

    /** Row indices sorted by non-zero count, longest first, ties in row order (a stable counting sort). */
    private static int[] rowsByLengthDescending(int[] rs, int rows) {
        int longest = 0;
        for (int r = 0; r < rows; r++) {
            longest = Math.max(longest, rs[r + 1] - rs[r]);
        }
        int[] firstOfLength = new int[longest + 2];
        for (int r = 0; r < rows; r++) {
            firstOfLength[longest - (rs[r + 1] - rs[r]) + 1]++;
        }
        for (int l = 1; l < firstOfLength.length; l++) {
            firstOfLength[l] += firstOfLength[l - 1];
        }
        int[] order = new int[rows];
        for (int r = 0; r < rows; r++) {
            order[firstOfLength[longest - (rs[r + 1] - rs[r])]++] = r;
        }
        return order;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Slices of {@link #SLICE} rows: {@code ceil(rows / 8)}. */
    public int slices() {
        return sliceStart.length - 1;
    }

    /** Rows including the last slice's padding: {@code 8 * slices()}, the length of the permuted output. */
    public int paddedRows() {
        return SLICE * slices();
    }

    /** The non-zeros of the matrix (without padding). */
    public int nnz() {
        return nnz;
    }

    /** Stored entries, padding included. */
    public int entries() {
        return values.length;
    }

    /** Where each slice's entries start, {@code slices() + 1} multiples of 8 (do not modify). */
    public int[] sliceStart() {
        return sliceStart;
    }

    /** Column of every entry (do not modify). */
    public int[] columns() {
        return columns;
    }

    /** Every entry's value, 0 for padding (do not modify). */
    public float[] values() {
        return values;
    }

    /** {@code rowOrder[p]}: the row computed at position {@code p} of the sorted output (do not modify). */
    public int[] rowOrder() {
        return rowOrder;
    }

    /** The dense row-major matrix (for tests: it must equal the CSR matrix's). */
    public float[] toDense() {
        float[] d = new float[rows * cols];
        for (int s = 0; s < slices(); s++) {
            for (int at = sliceStart[s]; at < sliceStart[s + 1]; at++) {
                int p = s * SLICE + (at - sliceStart[s]) % SLICE;
                if (p < rows && values[at] != 0f) {
                    d[rowOrder[p] * cols + columns[at]] = values[at];
                }
            }
        }
        return d;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "SlicedEllpackMatrix(%d x %d, nnz %d, %d slices, padding %.1f %%)", rows,
                cols, nnz, slices(), nnz == 0 ? 0 : 100.0 * (entries() - nnz) / nnz);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlicedEllpackMatrix m && m.rows == rows && m.cols == cols
                && Arrays.equals(m.sliceStart, sliceStart) && Arrays.equals(m.columns, columns)
                && Arrays.equals(m.values, values) && Arrays.equals(m.rowOrder, rowOrder);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(values);
    }
}
