package dev.minnow.engine.kernel;

/**
 * Softmax and log-softmax along one axis of a tensor viewed as {@code [outer, n, inner]}: for
 * every {@code (o, j)} the {@code n} elements {@code x[o, 0..n-1, j]} (stride {@code inner}) are
 * normalised together.
 *
 * <p><b>Stability.</b> {@code softmax(x) = softmax(x - c)} for any constant c, since the factor
 * {@code e^-c} cancels between numerator and denominator. With {@code c = max_k x_k} every
 * exponent is {@code <= 0}, so nothing overflows (softmax of {@code [1000, 1001]} is
 * {@code [0.269, 0.731]}, not NaN) and the largest term is exactly 1, so the sum is at least 1:
 * <pre>
 *   m = max_k x_k
 *   softmax(x)_i    = e^(x_i - m) / sum_k e^(x_k - m)
 *   logSoftmax(x)_i = x_i - m - log(sum_k e^(x_k - m))
 * </pre>
 * Log-softmax is computed directly in that form rather than as {@code log(softmax(x))}, which
 * would give {@code -inf} where a probability underflows to 0. Sums are accumulated in double.
 *
 * <p><b>Backward</b>, from the outputs y and their gradient g = dL/dy, per slice. The Jacobians
 * are {@code dy_i/dx_j = y_i (delta_ij - y_j)} for softmax and {@code delta_ij - softmax_j} for
 * log-softmax, so the vector-Jacobian products are
 * <pre>
 *   softmax:     dL/dx_j = y_j * (g_j - sum_i g_i y_i)
 *   logSoftmax:  dL/dx_j = g_j - e^(y_j) * sum_i g_i          (e^(y_j) is softmax_j)
 * </pre>
 * Neither forms the n-by-n Jacobian: one reduction over the slice, then one pass. The backward
 * kernels <em>add</em> into dx.
 */
public final class SoftmaxKernels {
    private SoftmaxKernels() {
    }

    public static void softmax(float[] x, int xo, float[] y, int yo, int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int base = o * n * inner + j;
                float max = max(x, xo + base, n, inner);
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    int at = base + k * inner;
                    float e = (float) Math.exp(x[xo + at] - max);
                    y[yo + at] = e;
                    sum += e;
                }
                float scale = (float) (1.0 / sum);
                for (int k = 0; k < n; k++) {
                    y[yo + base + k * inner] *= scale;
                }
            }
        }
    }

    public static void logSoftmax(float[] x, int xo, float[] y, int yo, int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int base = o * n * inner + j;
                float max = max(x, xo + base, n, inner);
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += Math.exp(x[xo + base + k * inner] - max);
                }
                float logSum = (float) Math.log(sum);
                for (int k = 0; k < n; k++) {
                    int at = base + k * inner;
                    y[yo + at] = x[xo + at] - max - logSum;
                }
            }
        }
    }

    /** {@code dx_j += y_j * (dy_j - sum_i dy_i y_i)} over every slice; y is softmax's output. */
    public static void softmaxBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo,
                                       int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int base = o * n * inner + j;
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    int at = base + k * inner;
                    dot += (double) dy[dyo + at] * y[yo + at];
                }
                float d = (float) dot;
                for (int k = 0; k < n; k++) {
                    int at = base + k * inner;
                    dx[dxo + at] += y[yo + at] * (dy[dyo + at] - d);
                }
            }
        }
    }

    /** {@code dx_j += dy_j - e^(y_j) * sum_i dy_i} over every slice; y is log-softmax's output. */
    public static void logSoftmaxBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo,
                                          int outer, int n, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int base = o * n * inner + j;
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += dy[dyo + base + k * inner];
                }
                float s = (float) sum;
                for (int k = 0; k < n; k++) {
                    int at = base + k * inner;
                    dx[dxo + at] += dy[dyo + at] - (float) Math.exp(y[yo + at]) * s;
                }
            }
        }
    }

    private static float max(float[] x, int from, int n, int stride) {
        float m = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            m = Math.max(m, x[from + k * stride]);
        }
        return m;
    }
}
