package dev.minnow.engine.kernel;

import java.util.Arrays;

/**
 * 2-D max pooling (no dilation) for inference, vectorised the way {@link DepthwiseConv} is: each
 * input plane is copied once into a buffer padded with {@code -inf} (so padding never wins and the
 * inner loop has no bounds checks), and each output row is the maximum of {@code kH*kW} shifted
 * input rows ({@link SimdKernels#shiftedRowMax}), computed at stride 1 along W and subsampled for
 * larger strides. The result equals {@link PoolKernels#maxPoolNaive}'s (a NaN in a window gives
 * NaN). Planes are split across threads; a call allocates nothing.
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
        int fullWidth = (outW - 1) * sW + 1;
        job.width = (fullWidth + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
        job.rowStride = job.width + kW - 1;
        job.rows = (outH - 1) * sH + kH;
        long work = (long) planes * outH * outW * kH * kW;
        try {
            Parallel.forRange(work < 1 << 15 ? 1 : threads, planes, Gemm.CHUNKS_PER_THREAD, job);
        } finally {
            job.x = null;
            job.y = null;
        }
    }

    private static final class Job implements Parallel.RangeBody {
        SimdKernels k;
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
            float[] padded = ws.padded(rows * rowStride);
            float[] row = ws.row(width);
            int[] taps = ws.taps(kH * kW);
            for (int p = from; p < to; p++) {
                padPlane(xOff + p * inH * inW, padded);
                int yPlane = yOff + p * outH * outW;
                for (int oh = 0; oh < outH; oh++) {
                    for (int kh = 0; kh < kH; kh++) {
                        int rowBase = (oh * sH + kh) * rowStride;
                        for (int kw = 0; kw < kW; kw++) {
                            taps[kh * kW + kw] = rowBase + kw;
                        }
                    }
                    k.shiftedRowMax(padded, taps, row, 0, width);
                    int yRow = yPlane + oh * outW;
                    if (sW == 1) {
                        System.arraycopy(row, 0, y, yRow, outW);
                    } else {
                        for (int ow = 0; ow < outW; ow++) {
                            y[yRow + ow] = row[ow * sW];
                        }
                    }
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
