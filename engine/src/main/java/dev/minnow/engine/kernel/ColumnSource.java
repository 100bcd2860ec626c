package dev.minnow.engine.kernel;

/**
 * The right-hand operand {@code B [k x n]} of a matrix product, produced block by block on
 * demand instead of being stored whole. A GEMM packs B into cache-sized blocks anyway; letting the
 * operand write those blocks directly means a convolution never materialises its (large) im2col
 * matrix: {@link ConvColumns} writes each block straight from the image ("implicit im2col").
 */
public interface ColumnSource {

    /** Rows of B ({@code k}). */
    int rows();

    /** Columns of B ({@code n}). */
    int columns();

    /**
     * Copies {@code B[row0 .. row0+rowCount, col0 .. col0+colCount)} into {@code dst} in the
     * panel layout a GEMM's inner loop reads: the block's columns cut into panels of
     * {@code panelWidth}, each panel stored row by row, panels one after another. Element
     * {@code (r, j)} goes to
     * <pre>  dst[dstOff + (j / panelWidth) * rowCount * panelWidth + r * panelWidth + j % panelWidth]</pre>
     * The last panel is padded with zeros, and columns past {@link #columns()} are zero too. With
     * {@code panelWidth = colCount} this is a plain row-major copy.
     */
    void copyPanels(int row0, int rowCount, int col0, int colCount, int panelWidth, float[] dst, int dstOff);

    /** A row-major matrix {@code b[off + row * ld + col]} as a source. */
    static ColumnSource matrix(float[] b, int off, int ld, int rows, int columns) {
        return new MatrixColumns().set(b, off, ld, rows, columns);
    }
}
