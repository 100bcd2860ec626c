package dev.minnow.engine.kernel;

/**
 * The four phases of a padded plane: what turns a stride-2 window operation (a depthwise
 * convolution, a max pool) into stride-1 ones that the row kernels ({@link SimdKernels#shiftedRowSum},
 * {@link SimdKernels#shiftedRowMax}) compute with contiguous vector loads.
 *
 * <p>Phase {@code (a, b)} holds the padded plane's rows {@code 2i + a} and columns {@code 2j + b}.
 * Output {@code (oh, ow)} of a {@code kH x kW} window at stride 2 reads the padded plane at
 * {@code (2 oh + kh, 2 ow + kw)}, that is phase {@code (kh % 2, kw % 2)} at
 * {@code (oh + kh / 2, ow + kw / 2)}: stride 1 within each phase. With the phases stored one after
 * the other, each {@link #rows} rows of {@link #rowStride} floats, a whole output plane is one
 * long row of {@code outH * rowStride} outputs (output {@code (oh, ow)} at {@code oh * rowStride + ow};
 * the {@code (kW - 1) / 2} outputs past {@code outW} in each row straddle two rows and are dropped).
 * Splitting costs one scalar pass over the input ({@link #copy}); computing every stride-1 output
 * and keeping one in four would cost twice the window arithmetic plus a scalar pick.
 */
final class PhasePlanes {
    private PhasePlanes() {
    }

    /** Floats per row of each phase for {@code outW} outputs of {@code kW}-wide windows. */
    static int rowStride(int outW, int kW) {
        return outW + (kW - 1) / 2;
    }

    /** Rows of each phase for {@code outH} outputs of {@code kH}-tall windows. */
    static int rows(int outH, int kH) {
        return outH + (kH - 1) / 2;
    }

    /**
     * Where tap {@code (kh, kw)} of the first output reads: phase {@code (kh % 2, kw % 2)}, row
     * {@code kh / 2}, column {@code kw / 2}.
     */
    static int tap(int kh, int kw, int rowStride, int phaseSize) {
        return ((kh & 1) * 2 + (kw & 1)) * phaseSize + (kh >> 1) * rowStride + (kw >> 1);
    }

    /** The taps of a {@code kH x kW} window, row-major, into {@code taps}. */
    static void setTaps(int[] taps, int kH, int kW, int rowStride, int phaseSize) {
        for (int kh = 0; kh < kH; kh++) {
            for (int kw = 0; kw < kW; kw++) {
                taps[kh * kW + kw] = tap(kh, kw, rowStride, phaseSize);
            }
        }
    }

    /**
     * Floats of the buffer a long row of {@code width} outputs reads: the four phases, and past
     * the last one what only discarded outputs read (the caller fills that with its padding value).
     */
    static int bufferSize(int kH, int kW, int rowStride, int phaseSize, int width) {
        int lastTap = 0;
        for (int kh = 0; kh < kH; kh++) {
            for (int kw = 0; kw < kW; kw++) {
                lastTap = Math.max(lastTap, tap(kh, kw, rowStride, phaseSize));
            }
        }
        return Math.max(lastTap + width, 4 * phaseSize);
    }

    /**
     * Copies one input plane into its phases: phase {@code (a, b)} at {@code (2a + b) * phaseSize}
     * holds {@code rows x rowStride} floats, element {@code (i, j)} being input
     * {@code (2i + a - padTop, 2j + b - padLeft)}. Only the image's elements are written: the
     * caller filled the buffer with its padding value (zero, or {@code -inf} for a max pool) once,
     * and the padding sits at the same places in every plane of the same geometry. Each input row
     * is read once, in pairs of columns (one to each column phase).
     */
    static void copy(SimdKernels k, float[] x, int xPlane, int inH, int inW, float[] buf, int rows, int rowStride,
                     int phaseSize, int padTop, int padLeft) {
        int iwFrom = Math.max(0, -padLeft);
        int iwTo = Math.min(inW, 2 * rowStride - padLeft);
        if (iwTo <= iwFrom) {
            return;
        }
        for (int ih = Math.max(0, -padTop), end = Math.min(inH, 2 * rows - padTop); ih < end; ih++) {
            int r = ih + padTop;
            int even = ((r & 1) * 2) * phaseSize + (r >> 1) * rowStride;   // phase (r % 2, 0), row r / 2
            splitRow(k, x, xPlane + ih * inW, iwFrom, iwTo, padLeft, buf, even, even + phaseSize);
        }
    }

    /**
     * Columns {@code [iwFrom, iwTo)} of the input row at {@code x[src]} into its two column phases:
     * the column landing on padded column {@code w = iw + padLeft} goes to
     * {@code buf[(w even ? even : odd) + w / 2]}. Pairs whose first column lands on an even padded
     * column are split by {@link SimdKernels#splitPairs}; a lone first or last column is copied
     * alone. Used for the pooling and depthwise phases here and for a stride-2 convolution's
     * bordered volume ({@link ConvColumns}).
     */
    static void splitRow(SimdKernels k, float[] x, int src, int iwFrom, int iwTo, int padLeft, float[] buf, int even,
                         int odd) {
        // the first column of a pair lands in an even padded column
        int pairFrom = iwFrom + ((iwFrom + padLeft) & 1);
        int pairs = Math.max(0, (iwTo - pairFrom) / 2);
        if (pairFrom > iwFrom && iwFrom < iwTo) {                             // a lone first column, odd
            buf[odd + ((iwFrom + padLeft) >> 1)] = x[src + iwFrom];
        }
        k.splitPairs(x, src + pairFrom, buf, even + ((pairFrom + padLeft) >> 1), odd + ((pairFrom + padLeft) >> 1),
                pairs);
        int last = pairFrom + 2 * pairs;
        if (last < iwTo) {                                                    // a lone last column, even
            buf[even + ((last + padLeft) >> 1)] = x[src + last];
        }
    }

    /**
     * {@code dst[even + t] = x[src + 2t * step]} and {@code dst[odd + t] = x[src + (2t + 1) * step]}
     * for {@code t < pairs}: consecutive samples {@code step} apart split into their even and odd
     * ones (the column phases here, {@link WinogradConv}'s even and odd tile samples).
     */
    static void splitPairs(float[] x, int src, int step, float[] dst, int even, int odd, int pairs) {
        for (int t = 0, at = src; t < pairs; t++, at += 2 * step) {
            dst[even + t] = x[at];
            dst[odd + t] = x[at + step];
        }
    }
}
