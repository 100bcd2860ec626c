package dev.minnow.engine.kernel;

/**
 * Normalisation kernels over {@code [batch, channels, spatial]} float arrays (any number of
 * spatial axes flattened into {@code spatial}), as plain reference loops.
 */
public final class NormalizationKernels {
    private NormalizationKernels() {
    }

    /**
     * Batch normalisation with fixed statistics (inference):
     * <pre>
     *   y[n, c, i] = scale[c] * (x[n, c, i] - mean[c]) / sqrt(var[c] + epsilon) + bias[c]
     * </pre>
     * computed per channel as {@code y = a * x + (bias - a * mean)} with {@code a = scale / sqrt(var + epsilon)}
     * (the same affine map that folding BN into the preceding convolution bakes into its weights).
     */
    public static void batchNormInference(float[] x, int xOff, float[] y, int yOff, int batch, int channels,
            int spatial, float[] scale, int scaleOff, float[] bias, int biasOff, float[] mean, int meanOff,
            float[] var, int varOff, float epsilon) {
        for (int c = 0; c < channels; c++) {
            float a = (float) (scale[scaleOff + c] / Math.sqrt((double) var[varOff + c] + epsilon));
            float shift = bias[biasOff + c] - a * mean[meanOff + c];
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) {
                    y[yOff + base + i] = a * x[xOff + base + i] + shift;
                }
            }
        }
    }

    /**
     * Local response normalisation across channels:
     * <pre>
     *   square_sum[n, c, i] = sum of x[n, j, i]^2 for j in [c - floor((size-1)/2), c + ceil((size-1)/2)] ∩ [0, C)
     *   y[n, c, i] = x[n, c, i] / (bias + alpha / size * square_sum[n, c, i])^beta
     * </pre>
     */
    public static void localResponseNorm(float[] x, int xOff, float[] y, int yOff, int batch, int channels,
            int spatial, int size, float alpha, float beta, float bias) {
        int before = (size - 1) / 2;
        int after = size - 1 - before;
        float alphaOverSize = alpha / size;
        for (int n = 0; n < batch; n++) {
            int base = xOff + n * channels * spatial;
            for (int c = 0; c < channels; c++) {
                int from = Math.max(0, c - before);
                int to = Math.min(channels - 1, c + after);
                for (int i = 0; i < spatial; i++) {
                    float squareSum = 0f;
                    for (int j = from; j <= to; j++) {
                        float v = x[base + j * spatial + i];
                        squareSum += v * v;
                    }
                    float v = x[base + c * spatial + i];
                    y[yOff + (n * channels + c) * spatial + i] =
                            (float) (v / Math.pow(bias + alphaOverSize * squareSum, beta));
                }
            }
        }
    }
}
