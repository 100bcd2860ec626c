package dev.minnow.engine.kernel;

/**
 * The right-hand operand {@code B [k x n]} of an integer matrix product (activations), produced on
 * demand in the pair layout of {@link QuantizedGemm#pairIndex}: a convolution's implicit im2col
 * ({@link Int8ConvColumns}) never stores its column matrix, as for floats ({@link ColumnSource}).
 * Values are unsigned ({@code uint8}, or {@code int8 + 128}).
 */
public interface Int8Columns {

    /** Rows of B ({@code k}). */
    int rows();

    /** Columns of B ({@code n}). */
    int columns();

    /**
     * Writes columns {@code col0 .. col0+count} of B into {@code dst} as pairs
     * {@code u(B[2t][j]) | u(B[2t+1][j]) << 16} at {@code QuantizedGemm.pairIndex(count, pairs, t, j - col0)},
     * with 0 for the row past an odd {@code k}.
     */
    void copyPairs(int col0, int count, int[] dst);
}
