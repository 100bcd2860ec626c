package dev.minnow.engine.kernel;

import java.util.Arrays;

/**
 * The im2col matrix of one image and one group of a convolution, as a {@link ColumnSource}: row
 * {@code (c, kd, kh, kw)}, column {@code (od, oh, ow)} holds
 * {@code x[c, od*sD - pD + kd*dD, oh*sH - pH + kh*dH, ow*sW - pW + kw*dW]} (zero in the padding),
 * exactly the matrix {@link ConvKernels#im2col} would write, but produced one GEMM block at a
 * time, so the full matrix ({@code C*k*k} times the output size: 1.8 M floats for a 3x3, 64-channel
 * layer on 56x56) is never written to memory and read back.
 *
 * <p>Within one output row, consecutive columns read inputs {@code sW} apart, so each block row is
 * a few contiguous copies (stride 1) or strided reads, with the padding filled by zeros computed
 * once per row segment rather than tested per element. Mutable and reusable: {@link #set} points
 * it at another image.
 */
public final class ConvColumns implements ColumnSource {
    private float[] x;
    private int xOff;
    private int channels;
    private int[] in;
    private int[] out;
    private int[] kernel;
    private int[] strides;
    private int[] padBegin;
    private int[] dilations;
    private int taps;
    private int outPlane;

    /**
     * Points this source at the input channels of one group of one image.
     *
     * @param xOff     the first input channel of the group, in {@code x}
     * @param channels input channels in the group
     */
    public ConvColumns set(float[] x, int xOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
                           int[] padBegin, int[] dilations) {
        this.x = x;
        this.xOff = xOff;
        this.channels = channels;
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.strides = strides;
        this.padBegin = padBegin;
        this.dilations = dilations;
        this.taps = kernel[0] * kernel[1] * kernel[2];
        this.outPlane = out[0] * out[1] * out[2];
        return this;
    }

    /** Drops the reference to the image. */
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
    public void copyPanels(int row0, int rowCount, int col0, int colCount, int panelWidth, float[] dst, int dstOff) {
        int inD = in[0], inH = in[1], inW = in[2];
        int outH = out[1], outW = out[2];
        int kH = kernel[1], kW = kernel[2];
        int sW = strides[2];
        int inPlane = inD * inH * inW;
        int end = Math.min(col0 + colCount, outPlane);
        int panelStride = rowCount * panelWidth;
        int padded = (colCount + panelWidth - 1) / panelWidth * panelWidth;
        for (int r = 0; r < rowCount; r++) {
            int row = row0 + r;
            int c = row / taps;
            int tap = row % taps;
            int kd = tap / (kH * kW);
            int kh = tap / kW % kH;
            int kw = tap % kW;
            int xPlane = xOff + c * inPlane;
            int shiftW = kw * dilations[2] - padBegin[2];
            // columns with a tap inside the input along W: ow in [owIn, owOut)
            int owIn = Math.max(0, ceilDiv(-shiftW, sW));
            int owOut = Math.min(outW, floorDiv(inW - 1 - shiftW, sW) + 1);
            // a cursor over the panel layout: where column j of this row goes
            int base = dstOff + r * panelWidth;
            int within = 0;
            int q = col0;
            int od = q / (outH * outW);
            int oh = q / outW % outH;
            int ow = q % outW;
            while (q < end) {
                int run = Math.min(end - q, outW - ow);          // the rest of this output row
                int id = od * strides[0] - padBegin[0] + kd * dilations[0];
                int ih = oh * strides[1] - padBegin[1] + kh * dilations[1];
                boolean rowInside = id >= 0 && id < inD && ih >= 0 && ih < inH;
                int src = xPlane + (id * inH + ih) * inW + shiftW;
                int stop = ow + run;
                while (ow < stop) {
                    int chunk = Math.min(stop - ow, panelWidth - within);
                    int at = base + within;
                    if (!rowInside) {
                        java.util.Arrays.fill(dst, at, at + chunk, 0f);
                    } else {
                        int a = Math.max(ow, Math.min(owIn, ow + chunk));     // first inside
                        int e = Math.max(a, Math.min(owOut, ow + chunk));     // end inside
                        java.util.Arrays.fill(dst, at, at + (a - ow), 0f);
                        if (sW == 1) {
                            if (e > a) {
                                System.arraycopy(x, src + a, dst, at + (a - ow), e - a);
                            }
                        } else {
                            for (int w = a, o = at + (a - ow); w < e; w++, o++) {
                                dst[o] = x[src + w * sW];
                            }
                        }
                        java.util.Arrays.fill(dst, at + (e - ow), at + chunk, 0f);
                    }
                    ow += chunk;
                    within += chunk;
                    if (within == panelWidth) {
                        within = 0;
                        base += panelStride;
                    }
                }
                q += run;
                ow = 0;
                if (++oh == outH) {
                    oh = 0;
                    od++;
                }
            }
            // zeros for the columns past the end of B, up to the end of the last panel
            for (int j = end - col0; j < padded; j++) {
                dst[base + within] = 0f;
                if (++within == panelWidth) {
                    within = 0;
                    base += panelStride;
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    private static int floorDiv(int a, int b) {
        return Math.floorDiv(a, b);
    }
}
