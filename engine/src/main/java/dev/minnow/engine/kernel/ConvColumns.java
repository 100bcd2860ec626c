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
    public void copyBlock(int row0, int rowCount, int col0, int colCount, float[] dst, int dstOff, int ldDst) {
        int inD = in[0], inH = in[1], inW = in[2];
        int outH = out[1], outW = out[2];
        int kH = kernel[1], kW = kernel[2];
        int inPlane = inD * inH * inW;
        int end = Math.min(col0 + colCount, outPlane);
        for (int r = 0; r < rowCount; r++) {
            int row = row0 + r;
            int c = row / taps;
            int tap = row % taps;
            int kd = tap / (kH * kW);
            int kh = tap / kW % kH;
            int kw = tap % kW;
            int xPlane = xOff + c * inPlane;
            int d = dstOff + r * ldDst;
            int shiftW = kw * dilations[2] - padBegin[2];
            int q = col0;
            while (q < end) {
                int od = q / (outH * outW);
                int oh = q / outW % outH;
                int ow = q % outW;
                int runEnd = Math.min(end, q + (outW - ow));      // the rest of this output row
                int runLength = runEnd - q;
                int id = od * strides[0] - padBegin[0] + kd * dilations[0];
                int ih = oh * strides[1] - padBegin[1] + kh * dilations[1];
                int at = d + (q - col0);
                if (id < 0 || id >= inD || ih < 0 || ih >= inH) {
                    Arrays.fill(dst, at, at + runLength, 0f);
                } else {
                    // columns ow .. ow+runLength-1 read iw = ow*sW + shiftW; inside for [owFrom, owTo)
                    int sW = strides[2];
                    int owFrom = Math.max(ow, ceilDiv(-shiftW, sW));
                    int owTo = Math.min(ow + runLength, floorDiv(inW - 1 - shiftW, sW) + 1);
                    int src = xPlane + (id * inH + ih) * inW + shiftW;
                    if (owTo <= owFrom) {
                        Arrays.fill(dst, at, at + runLength, 0f);
                    } else {
                        Arrays.fill(dst, at, at + (owFrom - ow), 0f);
                        int o = at + (owFrom - ow);
                        if (sW == 1) {
                            System.arraycopy(x, src + owFrom, dst, o, owTo - owFrom);
                        } else {
                            for (int w = owFrom; w < owTo; w++) {
                                dst[o++] = x[src + w * sW];
                            }
                        }
                        Arrays.fill(dst, at + (owTo - ow), at + runLength, 0f);
                    }
                }
                q = runEnd;
            }
            Arrays.fill(dst, d + Math.max(0, end - col0), d + colCount, 0f);
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    private static int floorDiv(int a, int b) {
        return Math.floorDiv(a, b);
    }
}
