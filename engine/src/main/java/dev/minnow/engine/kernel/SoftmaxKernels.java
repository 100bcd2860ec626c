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

    private static float max(float[] x, int from, int n, int stride) {
        float m = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            m = Math.max(m, x[from + k * stride]);
        }
        return m;
    }
}
