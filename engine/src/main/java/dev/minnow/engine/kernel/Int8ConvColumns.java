package dev.minnow.engine.kernel;

/**
 * The im2col matrix of one image and one group of an 8-bit convolution, as an {@link Int8Columns}
 * source: row {@code (c, kd, kh, kw)}, column {@code (od, oh, ow)} holds
 * {@code x[c, od*sD - pD + kd*dD, oh*sH - pH + kh*dH, ow*sW - pW + kw*dW]}, the same matrix as the
 * float {@link ConvColumns}, except that the padding holds the input's <em>zero point</em>: the
 * quantized value of real 0, so that {@code x - zx = 0} there and the zero-point algebra of
 * {@link Requantization} stays exact. Produced block by block; never stored whole. Mutable and
 * reusable ({@link #set}); reads are safe from several threads.
 */
public final class Int8ConvColumns implements Int8Columns {
    private static final ThreadLocal<int[][]> ROW = ThreadLocal.withInitial(() -> new int[1][0]);

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
    private int taps;
    private int outPlane;

    /**
     * Points this source at the input channels of one group of one image (three spatial axes,
     * outermost first, as {@link ConvGemm.Shape}).
     *
     * @param signed    int8 storage (offset by 128 to unsigned), else uint8
     * @param zeroPoint the input's zero point as stored (int8 or uint8 value)
     */
    public Int8ConvColumns set(byte[] x, int xOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
                               int[] padBegin, int[] dilations, boolean signed, int zeroPoint) {
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
        this.taps = kernel[0] * kernel[1] * kernel[2];
        this.outPlane = out[0] * out[1] * out[2];
        return this;
    }

    public void clear() {
        x = null;
    }

    @Override
    public int rows() {
        return channels * taps;
    }

    @Override
    public int columns() {
        return outPlane;
    }

    @Override
    public void copyPairs(int col0, int count, int[] dst) {
        int[][] holder = ROW.get();
        if (holder[0].length < count) {
            holder[0] = new int[count];
        }
        int[] vals = holder[0];
        int inD = in[0], inH = in[1], inW = in[2];
        int outH = out[1], outW = out[2];
        int kH = kernel[1], kW = kernel[2];
        int sW = strides[2];
        int inPlane = inD * inH * inW;
        int kp = (rows() + 1) / 2;
        for (int p = 0; p < rows(); p++) {
            int c = p / taps;
            int tap = p % taps;
            int kd = tap / (kH * kW);
            int kh = tap / kW % kH;
            int kw = tap % kW;
            int plane = xOff + c * inPlane;
            int shiftW = kw * dilations[2] - padBegin[2];
            int od = col0 / (outH * outW);
            int oh = col0 / outW % outH;
            int ow = col0 % outW;
            int jj = 0;
            while (jj < count) {
                int run = Math.min(count - jj, outW - ow);
                int id = od * strides[0] - padBegin[0] + kd * dilations[0];
                int ih = oh * strides[1] - padBegin[1] + kh * dilations[1];
                if (id < 0 || id >= inD || ih < 0 || ih >= inH) {
                    java.util.Arrays.fill(vals, jj, jj + run, pad);
                } else {
                    int rowBase = plane + (id * inH + ih) * inW;
                    for (int r = 0, iw = ow * sW + shiftW; r < run; r++, iw += sW) {
                        vals[jj + r] = iw >= 0 && iw < inW ? (x[rowBase + iw] & 0xFF) ^ flip : pad;
                    }
                }
                jj += run;
                ow = 0;
                if (++oh == outH) {
                    oh = 0;
                    od++;
                }
            }
            QuantizedGemm.scatterRow(vals, count, p, kp, dst);
        }
    }
}
