package dev.minnow.engine.kernel;

/**
 * A row-major matrix {@code b[off + row * ld + col]} as a {@link ColumnSource}. Mutable and
 * reusable ({@link #set}), so that an inference can point it at each new input without
 * allocating.
 */
public final class MatrixColumns implements ColumnSource {
    private float[] b;
    private int off;
    private int ld;
    private int rows;
    private int columns;

    public MatrixColumns set(float[] matrix, int offset, int leadingDimension, int rowCount, int columnCount) {
        this.b = matrix;
        this.off = offset;
        this.ld = leadingDimension;
        this.rows = rowCount;
        this.columns = columnCount;
        return this;
    }

    /** Drops the reference to the matrix. */
    public void clear() {
        b = null;
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
