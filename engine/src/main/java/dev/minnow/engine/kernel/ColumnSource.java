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

    /**
     * The array B can be read from in place, or {@code null} (the default) when every block must be
     * copied. When not null, {@code B[r][col + t] = inPlaceArray()[inPlaceRowOffsets()[r] + s + t]}
     * for {@code t < width} wherever {@link #inPlaceColumn}{@code (col, width)} returns {@code s >= 0}:
     * a GEMM can then feed those columns to its inner loop without packing them.
     */
    default float[] inPlaceArray() {
        return null;
    }

    /** Where each row of B starts in {@link #inPlaceArray()} (see there); only valid when that is not null. */
    default int[] inPlaceRowOffsets() {
        return null;
    }

    /**
     * The offset {@code s} of columns {@code [col, col + width)} in {@link #inPlaceArray()} (see there)
     * when they are consecutive there in every row, or -1.
     */
    default int inPlaceColumn(int col, int width) {
        return -1;
    }

    /** A row-major matrix {@code b[off + row * ld + col]} as a source. */
    static ColumnSource matrix(float[] b, int off, int ld, int rows, int columns) {
        return new MatrixColumns().set(b, off, ld, rows, columns);
    }
}
