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
 * <p><b>How.</b> Per plane, the input is copied once into a zero-padded buffer (row copies; only
 * the borders are zeroed), so the inner loop needs no bounds checks. Each output row is then a
 * sum of {@code kH*kW} shifted input rows weighted by the filter taps
 * ({@link SimdKernels#shiftedRowSum}), which vectorises along the row. At stride 1 a plane whose
 * width is not a multiple of 16 (the 28, 14 and 7 of MobileNet's later layers) is computed as one
 * long row over the whole padded plane instead, the few outputs that straddle two input rows
 * discarded. With stride 2 the padded plane is split into its four phases (even/odd rows times
 * even/odd columns, {@link PhasePlanes}), so that output {@code (oh, ow)} reads phase
 * {@code (kh % 2, kw % 2)} at {@code (oh + kh / 2, ow + kw / 2)}: stride 1 within each phase, and
 * the whole plane is again one long row with one discarded output per row. (The first version
 * computed every stride-1 output of the rows it needed and kept every other one: twice the
 * multiply-adds and a scalar pick; the split costs one scalar pass over the input instead.)
 * Planes are independent and split across threads.
 */
public final class DepthwiseConv {
    /** Outputs per row are computed in multiples of this (2 vectors of 8 with AVX2; more is harmless). */
    private static final int ROW_BLOCK = 32;
    /**
     * Rows this wide (a multiple of it) are computed straight into the output, with no copy from a
     * row buffer: whole pairs of 8-lane vectors, so the vector kernel leaves no scalar tail.
     */
    private static final int DIRECT_BLOCK = 16;

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
        forward(k, x, xOff, w, wOff, b, bOff, y, yOff, batch, channels, multiplier, inH, inW, outH, outW, kH, kW,
                stride, padTop, padLeft, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, threads);
    }

    /**
     * As above, with the output clamped to {@code [lo, hi]} as each row is written (a fused ReLU or
     * ReLU6, as in MobileNet's blocks: {@code y = min(max(conv + b, lo), hi)}), which spares a
     * second pass over the output; infinities for no clamp.
     */
    public static void forward(SimdKernels k, float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
                               float[] y, int yOff, int batch, int channels, int multiplier,
                               int inH, int inW, int outH, int outW, int kH, int kW, int stride,
                               int padTop, int padLeft, float lo, float hi, int threads) {
        int planes = batch * channels;
        int outPlane = outH * outW;
        // stride 1, rows of whole 16-output blocks: each output row straight into y
        int fullWidth = (outW - 1) * stride + 1;
        int widthRounded = (fullWidth + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
        int rowStride = widthRounded + kW - 1;
        int rows = (outH - 1) * stride + kH;
        int paddedSize = rows * rowStride;
        boolean wholePlane = stride == 1 && outW % DIRECT_BLOCK != 0;
        if (wholePlane) {
            // the plane as one long row: rows of outW + kW - 1 floats, outputs past outW in each discarded
            rowStride = outW + kW - 1;
            widthRounded = (outH * rowStride + DIRECT_BLOCK - 1) / DIRECT_BLOCK * DIRECT_BLOCK;
            paddedSize = widthRounded + (kH - 1) * rowStride + kW - 1;
        }
        int phaseSize = 0;
        if (stride == 2) {
            // four phase planes, then one long row over them
            rowStride = PhasePlanes.rowStride(outW, kW);
            rows = PhasePlanes.rows(outH, kH);
            phaseSize = rows * rowStride;
            widthRounded = (outH * rowStride + DIRECT_BLOCK - 1) / DIRECT_BLOCK * DIRECT_BLOCK;
            paddedSize = PhasePlanes.bufferSize(kH, kW, rowStride, phaseSize, widthRounded);
        }
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
        job.rowStride = rowStride;
        job.rows = rows;
        job.paddedSize = paddedSize;
        job.wholePlane = wholePlane;
        job.phaseSize = phaseSize;
        job.lo = lo;
        job.hi = hi;
        try {
            Parallel.forRange(t, planes, Gemm.CHUNKS_PER_THREAD, job);
        } finally {
            job.x = null;
            job.w = null;
            job.b = null;
            job.y = null;
        }
    }

    /**
     * The backward pass, adding {@code dL/dx}, {@code dL/dw} and {@code dL/db} (any may be null):
     * <pre>
     *   dw[oc, kh, kw] += sum over n, oh, ow of dy[n, oc, oh, ow] * xpad[n, c, oh*s + kh, ow*s + kw]
     *   dxpad[n, c, oh*s + kh, ow*s + kw] += w[oc, kh, kw] * dy[n, oc, oh, ow]     (c = oc / m)
     * </pre>
     * Per output row and tap, the first is a dot product and the second an axpy between a row of
     * {@code dy} and a row of the padded input (or its gradient); for stride 2 the {@code dy} row
     * is spread over a full-resolution row with zeros in between, so both stay contiguous and
     * vectorised, as in the forward pass. Threads take whole channels, so no two write the same
     * filter gradient.
     */
    public static void backward(SimdKernels k, float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff,
                                float[] dx, int dxOff, float[] dw, int dwOff, float[] db, int dbOff,
                                int batch, int channels, int multiplier, int inH, int inW, int outH, int outW,
                                int kH, int kW, int stride, int padTop, int padLeft, int threads) {
        Job job = JOBS.get();
        job.k = k;
        job.x = x;
        job.xOff = xOff;
        job.w = w;
        job.wOff = wOff;
        job.y = dy;
        job.yOff = dyOff;
        job.dx = dx;
        job.dxOff = dxOff;
        job.dw = dw;
        job.dwOff = dwOff;
        job.b = db;
        job.bOff = dbOff;
        job.batch = batch;
        job.backward = true;
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
        int fullWidth = (outW - 1) * stride + 1;
        job.widthRounded = (fullWidth + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
        job.rowStride = job.widthRounded + kW - 1;
        job.rows = (outH - 1) * stride + kH;
        long work = (long) batch * channels * multiplier * outH * outW * kH * kW;
        try {
            Parallel.forRange(work < 1 << 15 ? 1 : threads, channels, job);
        } finally {
            job.backward = false;
            job.x = null;
            job.w = null;
            job.b = null;
            job.y = null;
            job.dx = null;
            job.dw = null;
        }
    }

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    /** One call's settings, reused by its calling thread so that a call allocates nothing. */
    private static final class Job implements Parallel.RangeBody {
        SimdKernels k;
        boolean backward;
        int batch;
        float[] dx;
        float[] dw;
        int dxOff;
        int dwOff;
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
        int rowStride;
        int rows;
        int paddedSize;
        boolean wholePlane;
        /** Floats per phase plane at stride 2 (0 otherwise). */
        int phaseSize;
        float lo;
        float hi;

        @Override
        public void run(int from, int to) {
            if (backward) {
                backwardChannels(from, to);
                return;
            }
            RowWorkspace ws = RowWorkspace.get();
            float[] padded = ws.padded(paddedSize);
            float[] row = ws.row(widthRounded);
            int[] taps = ws.taps(kH * kW);
            int inPlane = inH * inW;
            int outPlane = outH * outW;
            int outChannels = channels * multiplier;
            boolean phased = stride == 2;
            if (phased) {
                PhasePlanes.setTaps(taps, kH, kW, rowStride, phaseSize);
            } else if (wholePlane) {
                RowWorkspace.windowTaps(taps, kH, kW, 0, rowStride, 1);
            }
            for (int p = from; p < to; p++) {
                int n = p / channels;
                int c = p % channels;
                if (phased) {
                    if (p == from) {
                        java.util.Arrays.fill(padded, 0, paddedSize, 0f);   // the padding, for every plane
                    }
                    PhasePlanes.copy(k, x, xOff + p * inPlane, inH, inW, padded, rows, rowStride, phaseSize, padTop,
                            padLeft);
                } else if (p == from) {
                    pad(x, xOff + p * inPlane, inH, inW, padded, rows, rowStride, padTop, padLeft);
                    java.util.Arrays.fill(padded, rows * rowStride, paddedSize, 0f);   // read only for discarded outputs
                } else {
                    copyInterior(x, xOff + p * inPlane, inH, inW, padded, rows, rowStride, padTop, padLeft);
                }
                for (int j = 0; j < multiplier; j++) {
                    int oc = c * multiplier + j;
                    float bias = b == null ? 0f : b[bOff + oc];
                    int wTaps = wOff + oc * kH * kW;
                    int yPlane = yOff + (n * outChannels + oc) * outPlane;
                    if (wholePlane || phased) {
                        planeSum(padded, row, taps, wTaps, bias, yPlane);
                        continue;
                    }
                    for (int oh = 0; oh < outH; oh++) {
                        RowWorkspace.windowTaps(taps, kH, kW, oh * stride * rowStride, rowStride, 1);
                        int yRow = yPlane + oh * outW;
                        // whole 16-output blocks, straight into y
                        k.shiftedRowSum(padded, taps, w, wTaps, bias, y, yRow, outW, lo, hi);
                    }
                }
            }
        }

        /**
         * One output plane computed as a single row of {@code outH * rowStride} outputs over the
         * padded plane at stride 1, or over its phases at stride 2 (output {@code (oh, ow)} at
         * {@code oh * rowStride + ow}; the outputs past {@code outW} in each row straddle two input
         * rows and are dropped). For the narrow planes of a network's late layers (14, 7) this
         * replaces {@code outH} short rows, each rounded up to {@link #ROW_BLOCK} outputs and each
         * paying the kernel's set-up, by one long one. The caller has set the taps.
         */
        private void planeSum(float[] padded, float[] row, int[] taps, int wTaps, float bias, int yPlane) {
            k.shiftedRowSum(padded, taps, w, wTaps, bias, row, 0, widthRounded, lo, hi);
            for (int oh = 0; oh < outH; oh++) {
                System.arraycopy(row, oh * rowStride, y, yPlane + oh * outW, outW);
            }
        }

        /** The backward pass for channels {@code [from, to)} of every image ({@code y} holds dy, {@code b} db). */
        private void backwardChannels(int from, int to) {
            RowWorkspace ws = RowWorkspace.get();
            int size = rows * rowStride;
            float[] padded = ws.padded(size);
            float[] dPadded = ws.paddedGradient(size);
            float[] dyRow = ws.row(widthRounded);
            int inPlane = inH * inW;
            int outPlane = outH * outW;
            int outChannels = channels * multiplier;
            for (int c = from; c < to; c++) {
                for (int n = 0; n < batch; n++) {
                    int xPlane = xOff + (n * channels + c) * inPlane;
                    if (dw != null) {
                        pad(x, xPlane, inH, inW, padded, rows, rowStride, padTop, padLeft);
                    }
                    if (dx != null) {
                        java.util.Arrays.fill(dPadded, 0, size, 0f);
                    }
                    for (int j = 0; j < multiplier; j++) {
                        int oc = c * multiplier + j;
                        int dyPlane = yOff + (n * outChannels + oc) * outPlane;
                        int wTaps = wOff + oc * kH * kW;
                        java.util.Arrays.fill(dyRow, 0, widthRounded, 0f);
                        float bias = 0f;
                        for (int oh = 0; oh < outH; oh++) {
                            int src = dyPlane + oh * outW;
                            for (int ow = 0; ow < outW; ow++) {
                                float g = y[src + ow];
                                dyRow[ow * stride] = g;
                                bias += g;
                            }
                            for (int kh = 0; kh < kH; kh++) {
                                int rowBase = (oh * stride + kh) * rowStride;
                                for (int kw = 0; kw < kW; kw++) {
                                    if (dw != null) {
                                        dw[dwOff + oc * kH * kW + kh * kW + kw] +=
                                                k.dot(widthRounded, dyRow, 0, padded, rowBase + kw);
                                    }
                                    if (dx != null) {
                                        k.axpy(widthRounded, w[wTaps + kh * kW + kw], dyRow, 0, dPadded, rowBase + kw);
                                    }
                                }
                            }
                        }
                        if (b != null) {
                            b[bOff + oc] += bias;
                        }
                    }
                    if (dx != null) {
                        int dxPlane = dxOff + (n * channels + c) * inPlane;
                        for (int ih = 0; ih < inH; ih++) {
                            int r = ih + padTop;
                            if (r >= rows) {
                                break;
                            }
                            int rowStart = r * rowStride + padLeft;
                            int width = Math.min(inW, rowStride - padLeft);
                            for (int iw = 0; iw < width; iw++) {
                                dx[dxPlane + ih * inW + iw] += dPadded[rowStart + iw];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Copies the input rows of one plane into a padded buffer whose borders {@link #pad} already
     * zeroed for an earlier plane of the same geometry (the borders are never written otherwise).
     */
    private static void copyInterior(float[] x, int xPlane, int inH, int inW, float[] padded, int rows,
                                     int rowStride, int padTop, int padLeft) {
        int from = Math.max(0, -padLeft);
        int to = Math.min(inW, rowStride - padLeft);
        if (to <= from) {
            return;
        }
        for (int ih = Math.max(0, -padTop), end = Math.min(inH, rows - padTop); ih < end; ih++) {
            System.arraycopy(x, xPlane + ih * inW + from, padded, (ih + padTop) * rowStride + from + padLeft,
                    to - from);
        }
    }

    /** Copies one input plane into the zero-padded buffer: the borders zeroed, then {@link #copyInterior}. */
    private static void pad(float[] x, int xPlane, int inH, int inW, float[] padded, int rows, int rowStride,
                            int padTop, int padLeft) {
        int from = Math.max(0, -padLeft);               // first input column that lands in the buffer
        int to = Math.min(inW, rowStride - padLeft);    // end of those columns
        for (int r = 0; r < rows; r++) {
            int ih = r - padTop;
            int dst = r * rowStride;
            if (ih < 0 || ih >= inH || to <= from) {
                java.util.Arrays.fill(padded, dst, dst + rowStride, 0f);
                continue;
            }
            java.util.Arrays.fill(padded, dst, dst + from + padLeft, 0f);
            java.util.Arrays.fill(padded, dst + to + padLeft, dst + rowStride, 0f);
        }
        copyInterior(x, xPlane, inH, inW, padded, rows, rowStride, padTop, padLeft);
    }
}
