package dev.minnow.engine.kernel;

/**
 * The im2col matrix of one image and one group of an 8-bit convolution, as an {@link Int8Columns}
 * source: row {@code (c, kd, kh, kw)}, column {@code (od, oh, ow)} holds
 * {@code x[c, od*sD - pD + kd*dD, oh*sH - pH + kh*dH, ow*sW - pW + kw*dW]}, the same matrix as the
 * float {@link ConvColumns}, except that the padding holds the input's <em>zero point</em>: the
 * quantized value of real 0, so that {@code x - zx = 0} there and the zero-point algebra of
 * {@link Requantization} stays exact.
 *
 * <p>Element {@code (p, j)} is {@code x[rowOffset[p] + columnOffset[j]]}: the input position of a
 * column's window origin plus the offset of a kernel tap, both computed once (rows when the
 * geometry is set, columns per block). Columns whose whole window lies inside the input need no
 * bounds test. Pairs are written in the order the GEMM reads them. Produced block by block, never
 * stored whole. Mutable and reusable ({@link #set}); reads are safe from several threads.
 */
public final class Int8ConvColumns implements Int8Columns {
    private static final ThreadLocal<Columns> COLUMNS = ThreadLocal.withInitial(Columns::new);

    private byte[] x;
    private int xOff;
    private int channels;
    private int[] in;
    private int[] out;
    private int[] kernel;
    private int[] strides;
    private int[] padBegin;
    private int[] dilations;
    private int flip;
    private int pad;
    private int rows;
    private int outPlane;
    private int[] rowOffset = new int[0];
    private int[] rowD = new int[0];
    private int[] rowH = new int[0];
    private int[] rowW = new int[0];

    /**
     * Points this source at the input channels of one group of one image (three spatial axes,
     * outermost first, as {@link ConvGemm.Shape}).
     *
     * @param signed    int8 storage (offset by 128 to unsigned), else uint8
     * @param zeroPoint the input's zero point as stored (int8 or uint8 value)
     */
    public Int8ConvColumns set(byte[] x, int xOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
                               int[] padBegin, int[] dilations, boolean signed, int zeroPoint) {
        boolean sameGeometry = this.in == in && this.kernel == kernel && this.dilations == dilations
                && this.channels == channels;
        this.x = x;
        this.xOff = xOff;
        this.channels = channels;
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.strides = strides;
        this.padBegin = padBegin;
        this.dilations = dilations;
        this.flip = signed ? 0x80 : 0;
        this.pad = signed ? zeroPoint + 128 : zeroPoint;
        this.rows = channels * kernel[0] * kernel[1] * kernel[2];
        this.outPlane = out[0] * out[1] * out[2];
        if (!sameGeometry || rowOffset.length != rows) {
            tapOffsets();
        }
        return this;
    }

    /** Per row (channel, tap): the offset from a window's origin, and the tap's position in the window. */
    private void tapOffsets() {
        rowOffset = new int[rows];
        rowD = new int[rows];
        rowH = new int[rows];
        rowW = new int[rows];
        int taps = kernel[0] * kernel[1] * kernel[2];
        int inPlane = in[0] * in[1] * in[2];
        for (int p = 0; p < rows; p++) {
            int c = p / taps;
            int tap = p % taps;
            rowD[p] = tap / (kernel[1] * kernel[2]) * dilations[0];
            rowH[p] = tap / kernel[2] % kernel[1] * dilations[1];
            rowW[p] = tap % kernel[2] * dilations[2];
            rowOffset[p] = c * inPlane + (rowD[p] * in[1] + rowH[p]) * in[2] + rowW[p];
        }
    }

    public void clear() {
        x = null;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int columns() {
        return outPlane;
    }

    /** Per-thread column data of one block. */
    private static final class Columns {
        int[] offset = new int[0];
        int[] d = new int[0];
        int[] h = new int[0];
        int[] w = new int[0];
        boolean[] inside = new boolean[0];

        void ensure(int n) {
            if (offset.length < n) {
                offset = new int[n];
                d = new int[n];
                h = new int[n];
                w = new int[n];
                inside = new boolean[n];
            }
        }
    }

    @Override
    public void copyPairs(int col0, int count, int[] dst) {
        Columns cols = COLUMNS.get();
        cols.ensure(count);
        int outH = out[1], outW = out[2];
        int extD = (kernel[0] - 1) * dilations[0] + 1;
        int extH = (kernel[1] - 1) * dilations[1] + 1;
        int extW = (kernel[2] - 1) * dilations[2] + 1;
        for (int jj = 0; jj < count; jj++) {
            int q = col0 + jj;
            int d0 = q / (outH * outW) * strides[0] - padBegin[0];
            int h0 = q / outW % outH * strides[1] - padBegin[1];
            int w0 = q % outW * strides[2] - padBegin[2];
            cols.d[jj] = d0;
            cols.h[jj] = h0;
            cols.w[jj] = w0;
            cols.offset[jj] = xOff + (d0 * in[1] + h0) * in[2] + w0;
            cols.inside[jj] = d0 >= 0 && d0 + extD <= in[0] && h0 >= 0 && h0 + extH <= in[1] && w0 >= 0
                    && w0 + extW <= in[2];
        }
        int kp = (rows + 1) / 2;
        int full = count / QuantizedGemm.PANEL_COLUMNS * QuantizedGemm.PANEL_COLUMNS;
        int at = 0;
        for (int j0 = 0; j0 < count; j0 += QuantizedGemm.PANEL_COLUMNS) {
            int j1 = j0 < full ? j0 + QuantizedGemm.PANEL_COLUMNS : count;
            for (int t = 0; t < kp; t++) {
                int p0 = 2 * t;
                int p1 = p0 + 1;
                for (int j = j0; j < j1; j++) {
                    int lo = value(cols, p0, j);
                    int hi = p1 < rows ? value(cols, p1, j) : 0;
                    dst[at++] = lo | hi << 16;
                }
            }
        }
    }

    private int value(Columns cols, int p, int j) {
        if (cols.inside[j]) {
            return (x[cols.offset[j] + rowOffset[p]] & 0xFF) ^ flip;
        }
        int id = cols.d[j] + rowD[p];
        int ih = cols.h[j] + rowH[p];
        int iw = cols.w[j] + rowW[p];
        return id >= 0 && id < in[0] && ih >= 0 && ih < in[1] && iw >= 0 && iw < in[2]
                ? (x[cols.offset[j] + rowOffset[p]] & 0xFF) ^ flip : pad;
    }
}
