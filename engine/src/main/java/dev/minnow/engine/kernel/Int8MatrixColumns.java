package dev.minnow.engine.kernel;

/**
 * An 8-bit matrix stored in memory as an {@link Int8Columns} source: either row-major
 * ({@code B[p][j] = b[off + p*ld + j]}: the input plane of a 1x1 convolution, {@code [C_in, H*W]})
 * or transposed ({@code B[p][j] = b[off + j*ld + p]}: the input {@code [N, K]} of a fully
 * connected layer, whose columns are its rows). Mutable and reusable: {@link #set} points it at
 * other data; reads are safe from several threads.
 */
public final class Int8MatrixColumns implements Int8Columns {
    private byte[] b;
    private int off;
    private int ld;
    private int rows;
    private int columns;
    private boolean transposed;
    private int flip;

    /**
     * @param transposed whether column j is stored contiguously (as row j of the array)
     * @param signed     int8 storage (offset by 128 to unsigned), else uint8
     */
    public Int8MatrixColumns set(byte[] b, int off, int ld, int rows, int columns, boolean transposed, boolean signed) {
        this.b = b;
        this.off = off;
        this.ld = ld;
        this.rows = rows;
        this.columns = columns;
        this.transposed = transposed;
        this.flip = signed ? 0x80 : 0;
        return this;
    }

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
    public void copyPairs(int col0, int count, int[] dst) {
        int kp = (rows + 1) / 2;
        if (!transposed) {
            for (int p = 0; p < rows; p++) {
                QuantizedGemm.scatterBytes(b, off + p * ld + col0, flip, count, p, kp, dst);
            }
            return;
        }
        int full = count / QuantizedGemm.PANEL_COLUMNS * QuantizedGemm.PANEL_COLUMNS;
        int even = rows / 2;
        for (int jj = 0; jj < count; jj++) {
            int src = off + (col0 + jj) * ld;
            int at = QuantizedGemm.pairIndex(count, kp, 0, jj);
            int stride = jj < full ? QuantizedGemm.PANEL_COLUMNS : count - full;
            for (int t = 0; t < even; t++, at += stride) {
                int s = src + 2 * t;
                dst[at] = ((b[s] & 0xFF) ^ flip) | (((b[s + 1] & 0xFF) ^ flip) << 16);
            }
            if (rows % 2 != 0) {
                dst[at] = (b[src + rows - 1] & 0xFF) ^ flip;
            }
        }
    }
}
