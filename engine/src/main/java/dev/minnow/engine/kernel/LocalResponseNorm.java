package dev.minnow.engine.kernel;

/**
 * Local response normalisation across channels (AlexNet's LRN), forward and backward, over
 * {@code [batch, channels, spatial]} float arrays (any number of spatial axes flattened into
 * {@code spatial}):
 * <pre>
 *   s[n, c, i] = bias + alpha / size * sum of x[n, j, i]^2 for j in win(c) = [c - floor((size-1)/2), c + ceil((size-1)/2)] ∩ [0, C)
 *   y[n, c, i] = x[n, c, i] * s[n, c, i]^-beta
 * </pre>
 *
 * <p><b>How it is made fast.</b> The naive loop walks the channel window for every output element
 * and calls {@code Math.pow}, about 50 ns each: on BVLC GoogLeNet that made LRN a third of a
 * forward pass. Here every loop runs along the contiguous spatial axis, so that C2 vectorises the
 * window sums (a row of {@code x_j^2} added into the output row, which doubles as the accumulator,
 * so no scratch is needed); the power is taken with square roots for the exponents networks use
 * ({@code s^-0.75 = 1 / (sqrt(s) * sqrt(sqrt(s)))}, {@code s^-0.5}, {@code s^-1}), and
 * {@code Math.pow} only for other exponents; and rows ({@code n, c}) are shared among threads
 * (whole images in the backward pass, which needs a per-image scratch). The window sum adds the
 * squares in the same order as the naive loop, in float, and the power is taken in double, so
 * results equal the naive loop's within a float rounding.
 */
public final class LocalResponseNorm {
    /** Below this many elements a call stays on the calling thread. */
    private static final int PARALLEL_ELEMENTS = 1 << 14;
    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private LocalResponseNorm() {
    }

    /** {@code y = x * s^-beta} as above; {@code x} and {@code y} must not overlap. */
    public static void forward(float[] x, int xOff, float[] y, int yOff, int batch, int channels, int spatial,
                               int size, float alpha, float beta, float bias, int threads) {
        Job j = JOBS.get();
        j.set(false, x, xOff, y, yOff, null, 0, null, 0, channels, spatial, size, alpha, beta, bias);
        j.run(threads, batch * channels, (long) batch * channels * spatial);
    }

    /**
     * Adds the gradient of the loss with respect to {@code x} into {@code dx}. With
     * {@code t_c = dy_c * x_c * s_c^(-beta-1)}, {@code x_k} reaches its own output and, through
     * {@code ds_c/dx_k = 2 alpha / size * x_k}, every output whose window holds channel {@code k}:
     * <pre>
     *   dL/dx_k = dy_k * s_k^-beta - 2 * alpha * beta / size * x_k * sum_{c : k in win(c)} t_c
     * </pre>
     * {@code k in win(c)} iff {@code c in [k - ceil((size-1)/2), k + floor((size-1)/2)]}: the
     * window mirrored, which differs from {@code win(k)} for even sizes.
     */
    public static void backward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int batch,
                                int channels, int spatial, int size, float alpha, float beta, float bias,
                                int threads) {
        Job j = JOBS.get();
        j.set(true, x, xOff, null, 0, dy, dyOff, dx, dxOff, channels, spatial, size, alpha, beta, bias);
        j.run(threads, batch, (long) batch * channels * spatial);
    }

    /** {@code v * s^-beta}, with square roots for the usual exponents. */
    private static float scale(float v, float s, float beta) {
        if (beta == 0.75f) {
            double r = Math.sqrt(s);
            return (float) (v / (r * Math.sqrt(r)));
        }
        if (beta == 0.5f) {
            return (float) (v / Math.sqrt(s));
        }
        if (beta == 1f) {
            return (float) ((double) v / s);
        }
        return (float) (v / Math.pow(s, beta));
    }

    /** One call's arguments, reused by its thread so that a call allocates nothing in steady state. */
    private static final class Job implements Parallel.RangeBody {
        private boolean backward;
        private float[] x;
        private float[] y;
        private float[] dy;
        private float[] dx;
        private int xOff;
        private int yOff;
        private int dyOff;
        private int dxOff;
        private int channels;
        private int spatial;
        private int before;
        private int after;
        private float alphaOverSize;
        private float beta;
        private float bias;
        private double coefficient;

        void set(boolean isBackward, float[] in, int inOff, float[] out, int outOff, float[] gradOut, int gradOutOff,
                 float[] gradIn, int gradInOff, int c, int s, int size, float alpha, float b, float k) {
            backward = isBackward;
            x = in;
            xOff = inOff;
            y = out;
            yOff = outOff;
            dy = gradOut;
            dyOff = gradOutOff;
            dx = gradIn;
            dxOff = gradInOff;
            channels = c;
            spatial = s;
            before = (size - 1) / 2;
            after = size - 1 - before;
            alphaOverSize = alpha / size;
            beta = b;
            bias = k;
            coefficient = 2.0 * alpha * b / size;
        }

        void run(int threads, int units, long elements) {
            try {
                if (threads <= 1 || elements < PARALLEL_ELEMENTS) {
                    run(0, units);
                } else {
                    Parallel.forRange(threads, units, this);
                }
            } finally {
                x = null;
                y = null;
                dy = null;
                dx = null;
            }
        }

        @Override
        public void run(int from, int to) {
            if (backward) {
                float[] work = scratch(2 * channels * spatial + spatial);
                for (int n = from; n < to; n++) {
                    backwardImage(n, work);
                }
            } else {
                for (int row = from; row < to; row++) {
                    forwardRow(row);
                }
            }
        }

        /** Output row {@code (n, c)}: the window's squares summed into the row, then scaled. */
        private void forwardRow(int row) {
            int n = row / channels;
            int c = row - n * channels;
            int image = xOff + n * channels * spatial;
            int out = yOff + row * spatial;
            squareSum(x, image, c, y, out);
            float a = alphaOverSize;
            float k = bias;
            int self = image + c * spatial;
            for (int i = 0; i < spatial; i++) {
                y[out + i] = scale(x[self + i], k + a * y[out + i], beta);
            }
        }

        /** {@code dst[i] = sum_{j in win(c)} src[image + j*spatial + i]^2}, j ascending. */
        private void squareSum(float[] src, int image, int c, float[] dst, int dstOff) {
            int from = Math.max(0, c - before);
            int to = Math.min(channels - 1, c + after);
            int first = image + from * spatial;
            for (int i = 0; i < spatial; i++) {
                float v = src[first + i];
                dst[dstOff + i] = v * v;
            }
            for (int j = from + 1; j <= to; j++) {
                int r = image + j * spatial;
                for (int i = 0; i < spatial; i++) {
                    float v = src[r + i];
                    dst[dstOff + i] += v * v;
                }
            }
        }

        /**
         * One image: first {@code s_c^-beta} and {@code t_c} for every channel into the scratch,
         * then each input channel's sum of {@code t} over its mirrored window.
         */
        private void backwardImage(int n, float[] work) {
            int image = n * channels * spatial;
            int terms = channels * spatial;       // work[0, terms): s^-beta; work[terms, 2 terms): t
            int sum = 2 * terms;                  // work[sum, sum + spatial): one row of sums of t
            for (int c = 0; c < channels; c++) {
                int row = c * spatial;
                squareSum(x, xOff + image, c, work, row);
                for (int i = 0; i < spatial; i++) {
                    double s = bias + alphaOverSize * work[row + i];
                    double power = scalePower(s);
                    work[row + i] = (float) power;
                    work[terms + row + i] = (float) (dy[dyOff + image + row + i] * x[xOff + image + row + i]
                            * power / s);
                }
            }
            for (int k = 0; k < channels; k++) {
                int from = Math.max(0, k - after);
                int to = Math.min(channels - 1, k + before);
                System.arraycopy(work, terms + from * spatial, work, sum, spatial);
                for (int c = from + 1; c <= to; c++) {
                    int r = terms + c * spatial;
                    for (int i = 0; i < spatial; i++) {
                        work[sum + i] += work[r + i];
                    }
                }
                int row = k * spatial;
                int at = image + row;
                for (int i = 0; i < spatial; i++) {
                    dx[dxOff + at + i] += (float) (dy[dyOff + at + i] * work[row + i]
                            - coefficient * x[xOff + at + i] * work[sum + i]);
                }
            }
        }

        /** {@code s^-beta} in double. */
        private double scalePower(double s) {
            if (beta == 0.75f) {
                double r = Math.sqrt(s);
                return 1.0 / (r * Math.sqrt(r));
            }
            if (beta == 0.5f) {
                return 1.0 / Math.sqrt(s);
            }
            if (beta == 1f) {
                return 1.0 / s;
            }
            return Math.pow(s, -beta);
        }

        private static float[] scratch(int size) {
            float[] w = SCRATCH.get();
            if (w.length < size) {
                w = new float[size];
                SCRATCH.set(w);
            }
            return w;
        }
    }
}
