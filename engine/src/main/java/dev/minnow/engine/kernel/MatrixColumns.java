package dev.minnow.engine.kernel;

/**
 * A row-major matrix {@code b[off + row * ld + col]} as a {@link ColumnSource}. Mutable and
 * reusable ({@link #set}), so that an inference can point it at each new input without
 * allocating. By default every block is copied; {@link #readInPlace} lets the vector GEMM read
 * whole panels where they are ({@link WinogradConv}'s transformed tiles).
 */
public final class MatrixColumns implements ColumnSource {
    private float[] b;
    private int off;
    private int ld;
    private int rows;
    private int columns;
    private int[] rowStarts;

    /** Points the source at a matrix, to be copied block by block. */
    public MatrixColumns set(float[] matrix, int offset, int leadingDimension, int rowCount, int columnCount) {
        this.b = matrix;
        this.off = offset;
        this.ld = leadingDimension;
        this.rows = rowCount;
        this.columns = columnCount;
        this.rowStarts = null;
        return this;
    }

    /**
     * After {@link #set}: lets a GEMM read the matrix in place; {@code starts[r]} must be
     * {@code r * ld} for every row (an array the caller makes once and keeps).
     */
    MatrixColumns readInPlace(int[] starts) {
        this.rowStarts = starts;
        return this;
    }

    /** Drops the reference to the matrix. */
    public void clear() {
        b = null;
        rowStarts = null;
    }

    @Override
    public float[] inPlaceArray() {
        return rowStarts == null ? null : b;
    }

    @Override
    public int[] inPlaceRowOffsets() {
        return rowStarts;
    }

    @Override
    public int inPlaceColumn(int col, int width) {
        return rowStarts != null && col + width <= columns ? off + col : -1;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int columns() {
        return columns;
    }

    @Override
    public void copyPanels(int row0, int rowCount, int col0, int colCount, int panelWidth, float[] dst, int dstOff) {
        int panels = (colCount + panelWidth - 1) / panelWidth;
        int valid = Math.max(0, Math.min(colCount, columns - col0));
        for (int r = 0; r < rowCount; r++) {
            int src = off + (row0 + r) * ld + col0;
            for (int p = 0, j = 0; p < panels; p++, j += panelWidth) {
                int d = dstOff + p * rowCount * panelWidth + r * panelWidth;
                int n = Math.max(0, Math.min(panelWidth, valid - j));
                System.arraycopy(b, src + j, dst, d, n);
                if (n < panelWidth) {
                    java.util.Arrays.fill(dst, d + n, d + panelWidth, 0f);
                }
            }
        }
    }
}
