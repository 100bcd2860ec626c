package dev.minnow.engine.kernel;

/**
 * One transformed point {@code V[xi]} of a {@link WinogradConv} block as a GEMM's right operand: a
 * row-major matrix the vector kernels read in place ({@link ColumnSource#inPlaceColumn}) and the
 * scalar ones copy.
 */
final class TileColumns implements ColumnSource {
    private final MatrixColumns matrix = new MatrixColumns();
    private int[] rowOffsets;
    private float[] data;
    private int off;
    private int columns;

    /** {@code V[xi]} at {@code v[offset + r * ld + col]}, with {@code rowStarts[r] = r * ld}. */
    TileColumns set(float[] v, int offset, int ld, int rows, int cols, int[] rowStarts) {
        matrix.set(v, offset, ld, rows, cols);
        data = v;
        off = offset;
        columns = cols;
        rowOffsets = rowStarts;
        return this;
    }

    void clear() {
        matrix.clear();
        data = null;
        rowOffsets = null;
    }

    @Override
    public int rows() {
        return matrix.rows();
    }

    @Override
    public int columns() {
        return columns;
    }

    @Override
    public void copyPanels(int row0, int rowCount, int col0, int colCount, int panelWidth, float[] dst, int dstOff) {
        matrix.copyPanels(row0, rowCount, col0, colCount, panelWidth, dst, dstOff);
    }

    @Override
    public float[] inPlaceArray() {
        return data;
    }

    @Override
    public int[] inPlaceRowOffsets() {
        return rowOffsets;
    }

    @Override
    public int inPlaceColumn(int col, int width) {
        return col + width <= columns ? off + col : -1;
    }
}
