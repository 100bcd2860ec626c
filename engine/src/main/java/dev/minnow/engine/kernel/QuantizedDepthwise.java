package dev.minnow.engine.kernel;

/**
 * Integer depthwise 2-D convolution ({@code group = C_in}, channel multiplier
 * {@code m = C_out / C_in}), the quantized counterpart of {@link DepthwiseConv}: per plane, the
 * input is copied once, centred ({@code x - zx}, so the padding is a plain 0), into an int32
 * buffer; each output row is a sum of {@code kH*kW} shifted rows weighted by the centred filter
 * taps ({@link Int8Kernels#shiftedRowSum}, computed at stride 1 along W, every {@code stride}-th
 * result kept), and each sum is requantized ({@link Requantization#applyCentred}). Any stride
 * and dilation. There is no reduction over channels, so no matrix product: int32 lanes and a
 * plain multiply-add are the whole story.
 */
public final class QuantizedDepthwise {
    private static final int ROW_BLOCK = 32;
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);
    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    private QuantizedDepthwise() {
    }

    /** The filters {@code w [C*m, 1, kH, kW]} centred: {@code w - zw[oc]}. */
    public static int[] centredWeights(byte[] w, int wOff, boolean signed, int[] wZero, int outChannels, int taps) {
        int[] r = new int[outChannels * taps];
        for (int oc = 0; oc < outChannels; oc++) {
            int zw = wZero.length == 1 ? wZero[0] : wZero[oc];
            for (int t = 0; t < taps; t++) {
                r[oc * taps + t] = QuantizedGemm.value(w[wOff + oc * taps + t], signed) - zw;
            }
        }
        return r;
    }

    /**
     * {@code y[n, oc] = rq(conv(x[n, oc / m] - zx, wc[oc]))} for every image and output channel.
     *
     * @param wc centred weights ({@link #centredWeights})
     */
    public static void forward(Int8Kernels k, byte[] x, int xOff, boolean xSigned, int xZero, int[] wc,
                               Requantization rq, byte[] y, int yOff, int batch, int channels, int multiplier,
                               int inH, int inW, int outH, int outW, int kH, int kW, int strideH, int strideW,
                               int dilationH, int dilationW, int padTop, int padLeft, int threads) {
        Job job = JOBS.get();
        job.k = k;
        job.x = x;
        job.xOff = xOff;
        job.xSigned = xSigned;
        job.xZero = xZero;
        job.wc = wc;
        job.rq = rq;
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
        job.strideH = strideH;
        job.strideW = strideW;
        job.dilationH = dilationH;
        job.dilationW = dilationW;
        job.padTop = padTop;
        job.padLeft = padLeft;
        int fullWidth = (outW - 1) * strideW + 1;
        job.widthRounded = (fullWidth + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
        job.rowStride = job.widthRounded + (kW - 1) * dilationW;
        job.rows = (outH - 1) * strideH + (kH - 1) * dilationH + 1;
        int planes = batch * channels;
        long work = (long) planes * multiplier * outH * outW * kH * kW;
        try {
            Parallel.forRange(work < 1 << 15 ? 1 : threads, planes, job);
        } finally {
            job.x = null;
            job.wc = null;
            job.rq = null;
            job.y = null;
        }
    }

    private static final class Job implements Parallel.RangeBody {
        Int8Kernels k;
        byte[] x;
        int[] wc;
        Requantization rq;
        byte[] y;
        boolean xSigned;
        int xOff, xZero, yOff, channels, multiplier, inH, inW, outH, outW, kH, kW;
        int strideH, strideW, dilationH, dilationW, padTop, padLeft, widthRounded, rowStride, rows;

        @Override
        public void run(int from, int to) {
            Workspace ws = WORKSPACE.get();
            int[] padded = ws.padded(rows * rowStride);
            int[] row = ws.row(widthRounded);
            int[] taps = ws.taps(kH * kW);
            int inPlane = inH * inW;
            int outPlane = outH * outW;
            int outChannels = channels * multiplier;
            for (int p = from; p < to; p++) {
                int n = p / channels;
                int c = p % channels;
                centre(xOff + p * inPlane, padded);
                for (int j = 0; j < multiplier; j++) {
                    int oc = c * multiplier + j;
                    int yPlane = yOff + (n * outChannels + oc) * outPlane;
                    for (int oh = 0; oh < outH; oh++) {
                        RowWorkspace.windowTaps(taps, kH, kW, oh * strideH * rowStride, dilationH * rowStride,
                                dilationW);
                        k.shiftedRowSum(padded, taps, wc, oc * kH * kW, 0, row, 0, widthRounded);
                        int yRow = yPlane + oh * outW;
                        for (int ow = 0; ow < outW; ow++) {
                            y[yRow + ow] = (byte) rq.applyCentred(oc, row[ow * strideW]);
                        }
                    }
                }
            }
        }

        /** One input plane, centred, into the zero-padded buffer. */
        private void centre(int xPlane, int[] padded) {
            for (int r = 0; r < rows; r++) {
                int ih = r - padTop;
                int dst = r * rowStride;
                if (ih < 0 || ih >= inH) {
                    java.util.Arrays.fill(padded, dst, dst + rowStride, 0);
                    continue;
                }
                int src = xPlane + ih * inW;
                for (int col = 0; col < rowStride; col++) {
                    int iw = col - padLeft;
                    padded[dst + col] = iw >= 0 && iw < inW
                            ? (xSigned ? x[src + iw] : x[src + iw] & 0xFF) - xZero : 0;
                }
            }
        }
    }

    private static final class Workspace {
        private int[] padded = new int[0];
        private int[] row = new int[0];
        private int[] taps = new int[0];

        int[] padded(int size) {
            if (padded.length < size) {
                padded = new int[size];
            }
            return padded;
        }

        int[] row(int size) {
            if (row.length < size) {
                row = new int[size];
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
}
