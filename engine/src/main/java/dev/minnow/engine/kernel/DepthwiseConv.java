package dev.minnow.engine.kernel;

/**
 * Depthwise 2-D convolution (MobileNet's {@code group = C_in}), with a channel multiplier
 * {@code m = C_out / C_in}: output channel {@code oc} convolves input channel {@code oc / m} with
 * its own {@code kH x kW} filter.
 *
 * <p><b>Why a kernel of its own.</b> A depthwise layer does {@code kH*kW} multiply-adds per output
 * and reads each input about {@code kH*kW/stride^2} times, with no reduction over channels: there is
 * no matrix product to feed a GEMM (as im2col would, with M = 1). It is memory-bound, and what
 * matters is streaming each input plane through the cache once, with vector loads.
 *
 * <p><b>How.</b> Per plane, the input is copied once into a zero-padded buffer, so the inner loop
 * needs no bounds checks; for stride 2 every padded row is also de-interleaved into its even and
 * odd columns, so that consecutive outputs read consecutive inputs again. Each output row is then
 * a sum of {@code kH*kW} shifted input rows weighted by the filter taps
 * ({@link SimdKernels#shiftedRowSum}), which vectorises along the row. Planes are independent and
 * split across threads.
 */
public final class DepthwiseConv {
    /** Outputs per row are computed in multiples of this (2 vectors of 8 with AVX2; more is harmless). */
    private static final int ROW_BLOCK = 32;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private DepthwiseConv() {
    }

    /** True when this kernel handles the layer: 2-D, stride 1 or 2 on both axes, no dilation. */
    public static boolean supports(int strideH, int strideW, int dilationH, int dilationW) {
        return strideH == strideW && (strideH == 1 || strideH == 2) && dilationH == 1 && dilationW == 1;
    }

    /**
     * {@code y[n, oc] = b[oc] + conv(x[n, oc / m], w[oc])} for every image and output channel.
     *
     * @param channels   input channels C (= groups)
     * @param multiplier m, so that there are {@code C*m} output channels
     * @param b          bias or {@code null}
     */
    public static void forward(SimdKernels k, float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
                               float[] y, int yOff, int batch, int channels, int multiplier,
                               int inH, int inW, int outH, int outW, int kH, int kW, int stride,
                               int padTop, int padLeft, int threads) {
        int planes = batch * channels;
        int outPlane = outH * outW;
        int widthRounded = (outW + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
        // padded row layout: stride 1: [cols]; stride 2: [even cols | odd cols], each `half` long
        int half = widthRounded + kW / 2 + 1;
        int rowStride = stride == 1 ? widthRounded + kW - 1 : 2 * half;
        int rows = (outH - 1) * stride + kH;
        int paddedSize = rows * rowStride;
        long work = (long) planes * multiplier * outPlane * kH * kW;
        int t = work < 1 << 15 ? 1 : threads;
        Job job = JOBS.get();
        job.k = k;
        job.x = x;
        job.xOff = xOff;
        job.w = w;
        job.wOff = wOff;
        job.b = b;
        job.bOff = bOff;
        job.y = y;
        job.yOff = yOff;
        job.channels = channels;
        job.multiplier = multiplier;
        job.inH = inH;
        job.inW = inW;
        job.outH = outH;
        job.outW = outW;
        job.kH = kH;
        job.kW = kW;
        job.stride = stride;
        job.padTop = padTop;
        job.padLeft = padLeft;
        job.widthRounded = widthRounded;
        job.half = half;
        job.rowStride = rowStride;
        job.rows = rows;
        try {
            Parallel.forRange(t, planes, job);
        } finally {
            job.x = null;
            job.w = null;
            job.b = null;
            job.y = null;
        }
    }

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    /** One call's settings, reused by its calling thread so that a call allocates nothing. */
    private static final class Job implements Parallel.RangeBody {
        SimdKernels k;
        float[] x;
        float[] w;
        float[] b;
        float[] y;
        int xOff;
        int wOff;
        int bOff;
        int yOff;
        int channels;
        int multiplier;
        int inH;
        int inW;
        int outH;
        int outW;
        int kH;
        int kW;
        int stride;
        int padTop;
        int padLeft;
        int widthRounded;
        int half;
        int rowStride;
        int rows;

        @Override
        public void run(int from, int to) {
            Workspace ws = WORKSPACE.get();
            float[] padded = ws.padded(rows * rowStride);
            float[] row = ws.row(widthRounded);
            int[] taps = ws.taps(kH * kW);
            int inPlane = inH * inW;
            int outPlane = outH * outW;
            int outChannels = channels * multiplier;
            for (int p = from; p < to; p++) {
                int n = p / channels;
                int c = p % channels;
                pad(x, xOff + p * inPlane, inH, inW, padded, rows, rowStride, half, stride, padTop, padLeft);
                for (int j = 0; j < multiplier; j++) {
                    int oc = c * multiplier + j;
                    float bias = b == null ? 0f : b[bOff + oc];
                    int wTaps = wOff + oc * kH * kW;
                    int yPlane = yOff + (n * outChannels + oc) * outPlane;
                    for (int oh = 0; oh < outH; oh++) {
                        for (int kh = 0; kh < kH; kh++) {
                            int rowBase = (oh * stride + kh) * rowStride;
                            for (int kw = 0; kw < kW; kw++) {
                                taps[kh * kW + kw] = stride == 1 ? rowBase + kw : rowBase + (kw & 1) * half + (kw >> 1);
                            }
                        }
                        k.shiftedRowSum(padded, taps, w, wTaps, bias, row, 0, widthRounded);
                        System.arraycopy(row, 0, y, yPlane + oh * outW, outW);
                    }
                }
            }
        }
    }

    /** Per-thread buffers, grown once. */
    private static final class Workspace {
        private float[] padded = new float[0];
        private float[] row = new float[0];
        private int[] taps = new int[0];

        float[] padded(int size) {
            if (padded.length < size) {
                padded = new float[size];
            }
            return padded;
        }

        float[] row(int size) {
            if (row.length < size) {
                row = new float[size];
            }
            return row;
        }

        int[] taps(int size) {
            if (taps.length != size) {
                taps = new int[size];
            }
            return taps;
        }
    }

    /** Copies one input plane into the zero-padded (and, for stride 2, de-interleaved) buffer. */
    private static void pad(float[] x, int xPlane, int inH, int inW, float[] padded, int rows, int rowStride,
                            int half, int stride, int padTop, int padLeft) {
        java.util.Arrays.fill(padded, 0, rows * rowStride, 0f);
        for (int r = 0; r < rows; r++) {
            int ih = r - padTop;
            if (ih < 0 || ih >= inH) {
                continue;
            }
            int src = xPlane + ih * inW;
            int dst = r * rowStride;
            if (stride == 1) {
                int from = Math.max(0, -padLeft);
                int to = Math.min(inW, rowStride - padLeft);
                if (to > from) {
                    System.arraycopy(x, src + from, padded, dst + from + padLeft, to - from);
                }
            } else {
                for (int iw = 0; iw < inW; iw++) {
                    int col = iw + padLeft;
                    int idx = (col & 1) * half + (col >> 1);
                    if (col >= 0 && idx < rowStride && (col >> 1) < half) {
                        padded[dst + idx] = x[src + iw];
                    }
                }
            }
        }
    }
}
