package dev.minnow.engine.kernel;

/**
 * The im2col matrix of one image and one group of a convolution, as a {@link ColumnSource}: row
 * {@code (c, kd, kh, kw)}, column {@code (od, oh, ow)} holds
 * {@code x[c, od*sD - pD + kd*dD, oh*sH - pH + kh*dH, ow*sW - pW + kw*dW]} (zero in the padding),
 * exactly the matrix {@link ConvKernels#im2col} would write, but produced one GEMM block at a
 * time, so the full matrix ({@code C*k*k} times the output size: 1.8 M floats for a 3x3, 64-channel
 * layer on 56x56) is never written to memory and read back.
 *
 * <p><b>Offsets instead of coordinates.</b> {@link #set} copies the image once into a zero-bordered
 * volume {@code [C, Dp, Hp, Wp]} (skipped when the convolution has no padding and stride 1), large
 * enough that every window lies inside it. An element of the column matrix is then one load,
 * <pre>
 *   B[r][q] = padded[rowOffset[r] + columnOffset[q]]
 *   rowOffset[(c, kd, kh, kw)] = c*Dp*Hp*Wp + (kd*dD*Hp + kh*dH)*Wp + kw*dW      (where the tap starts)
 *   columnOffset[(od, oh, ow)] = (od*sD*Hp + oh*sH)*Wp + ow*sW                   (where the window starts)
 * </pre>
 * with both offset tables made in {@link #set}: no division, no bounds test and no padding case
 * in the copy loop. With a horizontal stride {@code sW > 1} each row of the volume is stored as
 * {@code sW} phases (columns {@code 0, sW, 2sW, ...}, then {@code 1, 1 + sW, ...}), so that the
 * columns {@code ow*sW + w} of one output row are consecutive floats again, at
 * {@code phase(w % sW) + ow + w / sW}; both tables fold that in. A panel whose columns are
 * consecutive in the volume (all in one output row, any stride) is a straight copy of
 * {@code panelWidth} floats per row, and the vector GEMM reads it in place and copies nothing
 * ({@link #inPlaceColumn}); a panel that crosses an output row is a gather through the column
 * offsets (about 1.2 to 1.4 ns per float, timed alone). That matters because every float of the
 * column matrix would be copied once per GEMM block while the multiply-adds per float are only
 * {@code C_out}: a stride-2 stem (ResNet-18's 7x7 on 224x224, 1.8 M column floats for 64 filters)
 * spent about half its time gathering before the phases.
 *
 * <p><b>Buffers.</b> The padded volume and the offset tables live in buffers of the thread that
 * calls {@link #set} (grown once, then reused: nothing is allocated per call). {@link #set} runs
 * on that thread before the GEMM starts and the GEMM's threads only read them, so one instance
 * serves one convolution at a time per calling thread, which is how plans run. Mutable and
 * reusable: {@link #set} points it at another image.
 */
public final class ConvColumns implements ColumnSource {
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private float[] volume;
    private int volumeOff;
    private int[] rowOffsets;
    private int[] columnOffsets;
    private int rows;
    private int outPlane;
    private int wideRowStride;
    private int outH;
    private int outW;

    /** Per-thread storage for the padded image and the two offset tables. */
    private static final class Buffers {
        float[] volume = new float[0];
        int[] rowOffsets = new int[0];
        int[] columnOffsets = new int[0];
    }

    /**
     * Points this source at the input channels of one group of one image.
     *
     * @param xOff     the first input channel of the group, in {@code x}
     * @param channels input channels in the group
     */
    public ConvColumns set(float[] x, int xOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
                           int[] padBegin, int[] dilations) {
        return set(x, xOff, channels, in, out, kernel, strides, padBegin, dilations, false, 1);
    }

    /**
     * As {@link #set(float[], int, int, int[], int[], int[], int[], int[], int[])}, the bordered copy
     * shared by up to {@code threads} threads.
     */
    public ConvColumns set(float[] x, int xOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
                           int[] padBegin, int[] dilations, int threads) {
        return set(x, xOff, channels, in, out, kernel, strides, padBegin, dilations, false, threads);
    }

    /**
     * Whether {@link #setWide} applies to a convolution of this geometry: 2-D, stride 1, and its
     * output rows not already whole vectors wide (then every panel is read in place anyway), nor
     * so narrow that the volume's extra columns would add more than a quarter to the arithmetic.
     */
    public static boolean widens(int[] in, int[] out, int[] kernel, int[] strides, int[] padBegin, int[] dilations,
                                 int vectorWidth) {
        if (out[0] != 1 || kernel[0] != 1 || strides[1] != 1 || strides[2] != 1 || out[2] % vectorWidth == 0) {
            return false;
        }
        int extra = paddedExtent(2, in, out, kernel, strides, padBegin, dilations) - out[2];
        return extra > 0 && 4 * extra <= out[2];
    }

    /**
     * As {@link #set}, but with the columns of the <em>wide</em> output: {@code (oh, w)} for every
     * column {@code w} of the volume's rows, {@code oh * Wp + w}, up to the last real output
     * ({@code (oH - 1) * Wp + oW} columns; only for {@link #widens}). Column {@code q} is then
     * simply the volume's float {@code q} past each row's tap, so every panel is read in place
     * and nothing is ever gathered; the columns {@code w >= oW} are windows that run off the
     * row's end, computed and thrown away ({@link #wideRowStride}).
     */
    public ConvColumns setWide(float[] x, int xOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
                               int[] padBegin, int[] dilations, int threads) {
        return set(x, xOff, channels, in, out, kernel, strides, padBegin, dilations, true, threads);
    }

    /** After {@link #setWide}: the wide output's row length, where output row {@code oh} starts. */
    public int wideRowStride() {
        return wideRowStride;
    }

    /**
     * After {@link #setWide}: copies the real columns among wide columns {@code [j0, j1)} of a
     * product held in {@code block} ({@code m} rows of {@code width = j1 - j0} floats) into the
     * {@code m} output planes at {@code y[yOff]}; the columns past each output row's end are dropped.
     */
    public void copyOutColumns(float[] block, int width, int j0, int j1, float[] y, int yOff, int m) {
        int plane = outH * outW;
        for (int q = j0; q < j1; ) {
            int oh = q / wideRowStride;
            int w = q - oh * wideRowStride;
            int rowEnd = oh * wideRowStride + wideRowStride;
            if (w >= outW) {
                q = rowEnd;
                continue;
            }
            int run = Math.min(outW - w, j1 - q);
            for (int c = 0, src = q - j0, dst = yOff + oh * outW + w; c < m; c++, src += width, dst += plane) {
                System.arraycopy(block, src, y, dst, run);
            }
            q += run;
        }
    }

    private ConvColumns set(float[] x, int xOff, int channels, int[] in, int[] out, int[] kernel, int[] strides,
                            int[] padBegin, int[] dilations, boolean wide, int threads) {
        int pD = paddedExtent(0, in, out, kernel, strides, padBegin, dilations);
        int pH = paddedExtent(1, in, out, kernel, strides, padBegin, dilations);
        int pW = paddedExtent(2, in, out, kernel, strides, padBegin, dilations);
        int sW = strides[2];
        int phaseW = (pW + sW - 1) / sW;      // floats per phase of a row: columns w = phase + i * sW
        int rowW = sW * phaseW;               // one row of the volume: its sW phases one after the other
        boolean bordered = sW > 1 || pD != in[0] || pH != in[1] || pW != in[2] || padBegin[0] != 0
                || padBegin[1] != 0 || padBegin[2] != 0;
        int taps = kernel[0] * kernel[1] * kernel[2];
        Buffers b = BUFFERS.get();
        if (bordered) {
            int size = channels * pD * pH * rowW;
            if (b.volume.length < size) {
                b.volume = new float[size];
            }
            copyBordered(x, xOff, channels, in, padBegin, pD, pH, pW, sW, phaseW, b.volume, threads);
            volume = b.volume;
            volumeOff = 0;
        } else {
            volume = x;
            volumeOff = xOff;
        }
        rows = channels * taps;
        if (b.rowOffsets.length < rows) {
            b.rowOffsets = new int[rows];
        }
        int r = 0;
        for (int c = 0; c < channels; c++) {
            for (int kd = 0; kd < kernel[0]; kd++) {
                for (int kh = 0; kh < kernel[1]; kh++) {
                    for (int kw = 0; kw < kernel[2]; kw++) {
                        int w = kw * dilations[2];
                        b.rowOffsets[r++] = c * pD * pH * rowW + (kd * dilations[0] * pH + kh * dilations[1]) * rowW
                                + (w % sW) * phaseW + w / sW;
                    }
                }
            }
        }
        wideRowStride = wide ? rowW : 0;
        outH = out[1];
        outW = out[2];
        outPlane = wide ? (out[1] - 1) * rowW + out[2] : out[0] * out[1] * out[2];
        if (b.columnOffsets.length < outPlane) {
            b.columnOffsets = new int[outPlane];
        }
        if (wide) {
            for (int q = 0; q < outPlane; q++) {
                b.columnOffsets[q] = q;
            }
            rowOffsets = b.rowOffsets;
            columnOffsets = b.columnOffsets;
            return this;
        }
        int q = 0;
        for (int od = 0; od < out[0]; od++) {
            for (int oh = 0; oh < out[1]; oh++) {
                // window (ow, kw) starts at column ow * sW + w: phase w % sW, position ow + w / sW
                int start = (od * strides[0] * pH + oh * strides[1]) * rowW;
                for (int ow = 0; ow < out[2]; ow++) {
                    b.columnOffsets[q++] = start + ow;
                }
            }
        }
        rowOffsets = b.rowOffsets;
        columnOffsets = b.columnOffsets;
        return this;
    }

    /**
     * Length of the zero-bordered volume along axis {@code a}: the leading padding, then the input
     * or as far as the last window reaches, whichever is longer (trailing padding the windows never
     * touch is left out).
     */
    private static int paddedExtent(int a, int[] in, int[] out, int[] kernel, int[] strides, int[] padBegin,
                                    int[] dilations) {
        int reach = (out[a] - 1) * strides[a] + (kernel[a] - 1) * dilations[a] + 1;
        return padBegin[a] + Math.max(in[a], reach - padBegin[a]);
    }

    /** Volume floats from which {@link #set} shares the bordered copy among the threads. */
    private static final int COPY_PARALLEL_FLOATS = 1 << 15;
    private static final ThreadLocal<BorderJob> BORDER_JOBS = ThreadLocal.withInitial(BorderJob::new);

    /**
     * {@code x[C, D, H, W]} into the middle of a zero-bordered {@code [C, pD, pH, pW]} volume whose
     * rows are stored as {@code sW} phases of {@code phaseW} floats (column {@code w} of a row at
     * {@code (w % sW) * phaseW + w / sW}; with stride 1, simply the row); every other element zero.
     * Shared by rows among up to {@code threads} threads when the volume is large (a stride-2 stem's
     * copy of 3 x 226 x 226 floats took 0.1 ms alone).
     */
    private static void copyBordered(float[] x, int xOff, int channels, int[] in, int[] padBegin, int pD, int pH,
                                     int pW, int sW, int phaseW, float[] dst, int threads) {
        BorderJob job = BORDER_JOBS.get();
        job.set(x, xOff, in, padBegin, pD, pH, pW, sW, phaseW, dst);
        int rows = channels * pD * pH;
        try {
            if (threads > 1 && (long) rows * sW * phaseW >= COPY_PARALLEL_FLOATS) {
                Parallel.forRange(threads, rows, Gemm.CHUNKS_PER_THREAD, job);
            } else {
                job.run(0, rows);
            }
        } finally {
            job.set(null, 0, null, null, 0, 0, 0, 0, 0, null);
        }
    }

    /** {@link #copyBordered} over a range of the volume's rows {@code (c, d, h)}, reused by its calling thread. */
    private static final class BorderJob implements Parallel.RangeBody {
        private final SimdKernels kernels = KernelProvider.kernels();
        private float[] x;
        private float[] dst;
        private int[] in;
        private int[] padBegin;
        private int xOff;
        private int pD;
        private int pH;
        private int pW;
        private int sW;
        private int phaseW;

        void set(float[] x, int xOff, int[] in, int[] padBegin, int pD, int pH, int pW, int sW, int phaseW,
                 float[] dst) {
            this.x = x;
            this.xOff = xOff;
            this.in = in;
            this.padBegin = padBegin;
            this.pD = pD;
            this.pH = pH;
            this.pW = pW;
            this.sW = sW;
            this.phaseW = phaseW;
            this.dst = dst;
        }

        @Override
        public void run(int from, int to) {
            int inD = in[0], inH = in[1], inW = in[2];
            int rowW = sW * phaseW;
            int left = padBegin[2];
            for (int row = from, at = from * rowW; row < to; row++, at += rowW) {
                int h = row % pH;
                int d = row / pH % pD;
                int c = row / (pH * pD);
                int id = d - padBegin[0];
                int ih = h - padBegin[1];
                if (id < 0 || id >= inD || ih < 0 || ih >= inH) {
                    java.util.Arrays.fill(dst, at, at + rowW, 0f);
                    continue;
                }
                int src = xOff + ((c * inD + id) * inH + ih) * inW;
                if (sW == 1) {
                    java.util.Arrays.fill(dst, at, at + left, 0f);
                    System.arraycopy(x, src, dst, at + left, inW);
                    java.util.Arrays.fill(dst, at + left + inW, at + pW, 0f);
                } else if (sW == 2) {
                    java.util.Arrays.fill(dst, at, at + rowW, 0f);
                    PhasePlanes.splitRow(kernels, x, src, 0, inW, left, dst, at, at + phaseW);
                } else {
                    for (int phase = 0, o = at; phase < sW; phase++) {
                        for (int i = 0, w = phase - left; i < phaseW; i++, o++, w += sW) {
                            dst[o] = w >= 0 && w < inW ? x[src + w] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** Drops the references to the image and the buffers. */
    public void clear() {
        volume = null;
        rowOffsets = null;
        columnOffsets = null;
    }

    /** The zero-bordered image (or the image itself, with no padding): B is read from it in place. */
    @Override
    public float[] inPlaceArray() {
        return volume;
    }

    @Override
    public int[] inPlaceRowOffsets() {
        return rowOffsets;
    }

    /**
     * Columns {@code [col, col + width)} are consecutive in the volume when they are in one output
     * row (with any stride: a strided row is stored as phases); their first element of row {@code r} is then at
     * {@code rowOffsets[r] + volumeOff + columnOffsets[col]}.
     */
    @Override
    public int inPlaceColumn(int col, int width) {
        if (width < 1 || col + width > outPlane || columnOffsets[col + width - 1] - columnOffsets[col] != width - 1) {
            return -1;
        }
        return volumeOff + columnOffsets[col];
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int columns() {
        return outPlane;
    }

    @Override
    public void copyPanels(int row0, int rowCount, int col0, int colCount, int panelWidth, float[] dst, int dstOff) {
        float[] v = volume;
        int[] ro = rowOffsets;
        int[] co = columnOffsets;
        int panelStride = rowCount * panelWidth;
        int panels = (colCount + panelWidth - 1) / panelWidth;
        int end = Math.min(col0 + colCount, outPlane);
        // row by row, so that the reads walk along the image (the panels of one row are neighbours there)
        for (int r = 0; r < rowCount; r++) {
            int tap = volumeOff + ro[row0 + r];
            int d = dstOff + r * panelWidth;
            for (int p = 0, j0 = col0; p < panels; p++, j0 += panelWidth, d += panelStride) {
                int valid = Math.max(0, Math.min(panelWidth, end - j0));
                if (valid == panelWidth && co[j0 + valid - 1] - co[j0] == valid - 1) {
                    int from = tap + co[j0];
                    for (int t = 0; t < panelWidth; t++) {
                        dst[d + t] = v[from + t];
                    }
                } else {
                    for (int t = 0; t < valid; t++) {
                        dst[d + t] = v[tap + co[j0 + t]];
                    }
                    for (int t = valid; t < panelWidth; t++) {
                        dst[d + t] = 0f;
                    }
                }
            }
        }
    }
}
