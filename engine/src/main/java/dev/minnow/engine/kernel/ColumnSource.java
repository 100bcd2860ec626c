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
     * Copies {@code B[row0 .. row0+rowCount, col0 .. col0+colCount)} into {@code dst}, row r of the
     * block at {@code dstOff + r * ldDst}. Columns past {@link #columns()} are written as zero.
     */
    void copyBlock(int row0, int rowCount, int col0, int colCount, float[] dst, int dstOff, int ldDst);

    /** A row-major matrix {@code b[off + row * ld + col]} as a source. */
    static ColumnSource matrix(float[] b, int off, int ld, int rows, int columns) {
        return new MatrixColumns().set(b, off, ld, rows, columns);
    }
}
