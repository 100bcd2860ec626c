package dev.minnow.engine.kernel;

import java.util.Arrays;

/**
 * 2-D max pooling (no dilation) for inference, vectorised the way {@link DepthwiseConv} is: each
 * input plane is copied once into a buffer padded with {@code -inf} (so padding never wins and the
 * inner loop has no bounds checks), and outputs are maxima of {@code kH*kW} shifted input rows
 * ({@link SimdKernels#shiftedRowMax}). At stride 1 the whole plane is one long row over the padded
 * plane; at stride 2 (the pools of SqueezeNet, GoogLeNet, ResNet) one long row over the padded
 * plane's four phases ({@link PhasePlanes}); other strides compute each output row at stride 1
 * along W and keep every {@code sW}-th result. The result equals {@link PoolKernels#maxPoolNaive}'s
 * (a NaN in a window gives NaN). Planes are split across threads; a call allocates nothing.
 *
 * <p>The window arithmetic is the scalar kernel's: a max pool compares, it does not multiply, so
 * its cost is reading memory and mispredicted branches; comparing eight lanes at a time with no
 * branches removes both the scalar loop's per-element work and its mispredictions.
 */
public final class MaxPool2d {
    private static final int ROW_BLOCK = 32;
    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    private MaxPool2d() {
    }

    /** {@code y[p, oh, ow] = max over the window of x[p, ...]} for {@code planes} planes. */
    public static void forward(float[] x, int xOff, float[] y, int yOff, int planes, int inH, int inW, int outH,
                               int outW, int kH, int kW, int sH, int sW, int padTop, int padLeft, int threads) {
        Job job = JOBS.get();
        job.k = KernelProvider.kernels();
        job.x = x;
        job.xOff = xOff;
        job.y = y;
        job.yOff = yOff;
        job.inH = inH;
        job.inW = inW;
        job.outH = outH;
        job.outW = outW;
        job.kH = kH;
        job.kW = kW;
        job.sH = sH;
        job.sW = sW;
        job.padTop = padTop;
        job.padLeft = padLeft;
        job.mode = sH == 1 && sW == 1 ? Mode.PLANE : sH == 2 && sW == 2 ? Mode.PHASES : Mode.ROWS;
        switch (job.mode) {
            case PLANE -> {
                job.rowStride = outW + kW - 1;
                job.rows = outH + kH - 1;
                job.width = roundUp(outH * job.rowStride);
                job.size = job.width + (kH - 1) * job.rowStride + kW - 1;
            }
            case PHASES -> {
                job.rowStride = PhasePlanes.rowStride(outW, kW);
                job.rows = PhasePlanes.rows(outH, kH);
                job.phaseSize = job.rows * job.rowStride;
                job.width = roundUp(outH * job.rowStride);
                job.size = PhasePlanes.bufferSize(kH, kW, job.rowStride, job.phaseSize, job.width);
            }
            default -> {
                job.width = roundUp((outW - 1) * sW + 1);
                job.rowStride = job.width + kW - 1;
                job.rows = (outH - 1) * sH + kH;
                job.size = job.rows * job.rowStride;
            }
        }
        long work = (long) planes * outH * outW * kH * kW;
        try {
            Parallel.forRange(work < 1 << 15 ? 1 : threads, planes, Gemm.CHUNKS_PER_THREAD, job);
        } finally {
            job.x = null;
            job.y = null;
        }
    }

    private static int roundUp(int n) {
        return (n + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
    }

    /** How a plane is computed: see the class comment. */
    private enum Mode { PLANE, PHASES, ROWS }

    private static final class Job implements Parallel.RangeBody {
        SimdKernels k;
        Mode mode;
        /** Floats of the padded buffer (or phase buffer). */
        int size;
        /** Floats per phase plane in mode PHASES. */
        int phaseSize;
        float[] x;
        float[] y;
        int xOff;
        int yOff;
        int inH;
        int inW;
        int outH;
        int outW;
        int kH;
        int kW;
        int sH;
        int sW;
        int padTop;
        int padLeft;
        int width;
        int rowStride;
        int rows;

        @Override
        public void run(int from, int to) {
            RowWorkspace ws = RowWorkspace.get();
            float[] padded = ws.padded(size);
            float[] row = ws.row(width);
            int[] taps = ws.taps(kH * kW);
            if (mode == Mode.PHASES) {
                PhasePlanes.setTaps(taps, kH, kW, rowStride, phaseSize);
                Arrays.fill(padded, 0, size, Float.NEGATIVE_INFINITY);   // the padding, for every plane
            } else if (mode == Mode.PLANE) {
                RowWorkspace.windowTaps(taps, kH, kW, 0, rowStride, 1);
                // read only for discarded outputs
                Arrays.fill(padded, rows * rowStride, size, Float.NEGATIVE_INFINITY);
            }
            for (int p = from; p < to; p++) {
                int xPlane = xOff + p * inH * inW;
                int yPlane = yOff + p * outH * outW;
                if (mode == Mode.ROWS) {
                    padPlane(xPlane, padded);
                    planeByRows(padded, row, taps, yPlane);
                    continue;
                }
                if (mode == Mode.PHASES) {
                    PhasePlanes.copy(k, x, xPlane, inH, inW, padded, rows, rowStride, phaseSize, padTop, padLeft);
                } else {
                    padPlane(xPlane, padded);
                }
                k.shiftedRowMax(padded, taps, row, 0, width);
                for (int oh = 0; oh < outH; oh++) {
                    System.arraycopy(row, oh * rowStride, y, yPlane + oh * outW, outW);
                }
            }
        }

        /** Each output row at stride 1 along W, every {@code sW}-th result kept. */
        private void planeByRows(float[] padded, float[] row, int[] taps, int yPlane) {
            for (int oh = 0; oh < outH; oh++) {
                RowWorkspace.windowTaps(taps, kH, kW, oh * sH * rowStride, rowStride, 1);
                k.shiftedRowMax(padded, taps, row, 0, width);
                int yRow = yPlane + oh * outW;
                for (int ow = 0; ow < outW; ow++) {
                    y[yRow + ow] = row[ow * sW];
                }
            }
        }

        private void padPlane(int xPlane, float[] padded) {
            int to = Math.min(inW, rowStride - padLeft);
            for (int r = 0; r < rows; r++) {
                int ih = r - padTop;
                int dst = r * rowStride;
                if (ih < 0 || ih >= inH || to <= 0) {
                    Arrays.fill(padded, dst, dst + rowStride, Float.NEGATIVE_INFINITY);
                    continue;
                }
                Arrays.fill(padded, dst, dst + padLeft, Float.NEGATIVE_INFINITY);
                System.arraycopy(x, xPlane + ih * inW, padded, dst + padLeft, to);
                Arrays.fill(padded, dst + padLeft + to, dst + rowStride, Float.NEGATIVE_INFINITY);
            }
        }
    }
}
