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
        int full = count / QuantizedGemm.PANEL_COLUMNS * QuantizedGemm.PANEL_COLUMNS;
        // element (p, j) at b[off + p * rowStep + (col0 + j) * colStep]
        int rowStep = transposed ? 1 : ld;
        int colStep = transposed ? ld : 1;
        int at = 0;
        for (int j0 = 0; j0 < count; j0 += QuantizedGemm.PANEL_COLUMNS) {
            int j1 = j0 < full ? j0 + QuantizedGemm.PANEL_COLUMNS : count;
            for (int t = 0; t < kp; t++) {
                int r0 = off + 2 * t * rowStep;
                boolean pair = 2 * t + 1 < rows;
                for (int j = j0; j < j1; j++) {
                    int e = r0 + (col0 + j) * colStep;
                    int lo = (b[e] & 0xFF) ^ flip;
                    int hi = pair ? (b[e + rowStep] & 0xFF) ^ flip : 0;
                    dst[at++] = lo | hi << 16;
                }
            }
        }
    }
}
