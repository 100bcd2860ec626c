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
        batchNormInference(x, xOff, y, yOff, batch, channels, spatial, scale, scaleOff, bias, biasOff, mean, meanOff,
                var, varOff, epsilon, 0, channels);
    }

    /** As above for the channels {@code [channelFrom, channelTo)} only (a thread's share). */
    public static void batchNormInference(float[] x, int xOff, float[] y, int yOff, int batch, int channels,
            int spatial, float[] scale, int scaleOff, float[] bias, int biasOff, float[] mean, int meanOff,
            float[] var, int varOff, float epsilon, int channelFrom, int channelTo) {
        for (int c = channelFrom; c < channelTo; c++) {
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
     * The batch statistics of each channel over the batch and spatial axes ({@code M = batch * spatial}
     * values), accumulated in double: {@code mean[c] = sum x / M} and the biased (population)
     * variance {@code variance[c] = sum (x - mean)^2 / M}, in two passes.
     */
    public static void batchStatistics(float[] x, int xOff, int batch, int channels, int spatial,
            float[] mean, int meanOff, float[] variance, int varOff) {
        batchStatistics(x, xOff, batch, channels, spatial, mean, meanOff, variance, varOff, 0, channels);
    }

    /** As above for the channels {@code [channelFrom, channelTo)} only (a thread's share). */
    public static void batchStatistics(float[] x, int xOff, int batch, int channels, int spatial,
            float[] mean, int meanOff, float[] variance, int varOff, int channelFrom, int channelTo) {
        double count = (double) batch * spatial;
        for (int c = channelFrom; c < channelTo; c++) {
            double sum = 0;
            for (int n = 0; n < batch; n++) {
                int base = xOff + (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) {
                    sum += x[base + i];
                }
            }
            double mu = sum / count;
            double squares = 0;
            for (int n = 0; n < batch; n++) {
                int base = xOff + (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) {
                    double d = x[base + i] - mu;
                    squares += d * d;
                }
            }
            mean[meanOff + c] = (float) mu;
            variance[varOff + c] = (float) (squares / count);
        }
    }

    /**
     * Backward of batch normalisation on batch statistics (Ioffe &amp; Szegedy 2015, section 3), per
     * channel with {@code M = batch * spatial}, {@code xhat = (x - mean) * invStd}:
     * <pre>
     *   dscale += sum dy * xhat          dbias += sum dy
     *   dx     += scale * invStd / M * (M * dy - sum dy - xhat * sum dy * xhat)
     * </pre>
     * The last line is the chain rule through the mean and the variance, which depend on every
     * input of the channel. Each of {@code dx, dScale, dBias} may be {@code null}.
     */
    public static void batchNormTrainingBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
            int batch, int channels, int spatial, float[] scale, int scaleOff, float[] mean, int meanOff,
            float[] invStd, int invStdOff, float[] dScale, int dScaleOff, float[] dBias, int dBiasOff) {
        batchNormTrainingBackward(x, xOff, dy, dyOff, dx, dxOff, batch, channels, spatial, scale, scaleOff, mean,
                meanOff, invStd, invStdOff, dScale, dScaleOff, dBias, dBiasOff, 0, channels);
    }

    /** As above for the channels {@code [channelFrom, channelTo)} only (a thread's share). */
    public static void batchNormTrainingBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
            int batch, int channels, int spatial, float[] scale, int scaleOff, float[] mean, int meanOff,
            float[] invStd, int invStdOff, float[] dScale, int dScaleOff, float[] dBias, int dBiasOff,
            int channelFrom, int channelTo) {
        double count = (double) batch * spatial;
        for (int c = channelFrom; c < channelTo; c++) {
            double mu = mean[meanOff + c];
            double inv = invStd[invStdOff + c];
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) {
                    double g = dy[dyOff + base + i];
                    sumDy += g;
                    sumDyXhat += g * (x[xOff + base + i] - mu) * inv;
                }
            }
            if (dScale != null) {
                dScale[dScaleOff + c] += (float) sumDyXhat;
            }
            if (dBias != null) {
                dBias[dBiasOff + c] += (float) sumDy;
            }
            if (dx == null) {
                continue;
            }
            double k = scale[scaleOff + c] * inv / count;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) {
                    double xhat = (x[xOff + base + i] - mu) * inv;
                    dx[dxOff + base + i] += (float) (k * (count * dy[dyOff + base + i] - sumDy - xhat * sumDyXhat));
                }
            }
        }
    }

    /**
     * The gradient of the batch statistics themselves, for when a loss depends on them (ONNX's
     * training-mode outputs {@code running = momentum * input + (1 - momentum) * batch}): with
     * {@code dMean[c], dVar[c]} the gradients of the loss with respect to the batch mean and
     * (population) variance, each scaled by {@code weight},
     * <pre>
     *   dx[n, c, i] += weight * (dMean[c] / M + dVar[c] * 2 * (x - mean[c]) / M)
     * </pre>
     * {@code dMean} or {@code dVar} may be {@code null} (zero).
     */
    public static void batchStatisticsBackward(float[] x, int xOff, float[] dx, int dxOff, int batch, int channels,
            int spatial, float[] mean, int meanOff, float[] dMean, int dMeanOff, float[] dVar, int dVarOff,
            float weight) {
        double count = (double) batch * spatial;
        for (int c = 0; c < channels; c++) {
            double gm = dMean == null ? 0 : weight * dMean[dMeanOff + c] / count;
            double gv = dVar == null ? 0 : 2.0 * weight * dVar[dVarOff + c] / count;
            double mu = mean[meanOff + c];
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) {
                    dx[dxOff + base + i] += (float) (gm + gv * (x[xOff + base + i] - mu));
                }
            }
        }
    }

    /**
     * Backward of {@link #batchNormInference} (fixed statistics), per channel with
     * {@code invStd = 1 / sqrt(var + epsilon)} and {@code xhat = (x - mean) * invStd}:
     * <pre>
     *   dx    += dy * scale * invStd          dscale += sum dy * xhat       dbias += sum dy
     *   dmean += -scale * invStd * sum dy     dvar   += -scale / 2 * invStd^3 * sum dy * (x - mean)
     * </pre>
     * Each gradient array may be {@code null}.
     */
    public static void batchNormInferenceBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff,
            int batch, int channels, int spatial, float[] scale, int scaleOff, float[] mean, int meanOff,
            float[] var, int varOff, float epsilon, float[] dScale, int dScaleOff, float[] dBias, int dBiasOff,
            float[] dMean, int dMeanOff, float[] dVar, int dVarOff) {
        for (int c = 0; c < channels; c++) {
            double mu = mean[meanOff + c];
            double inv = 1.0 / Math.sqrt((double) var[varOff + c] + epsilon);
            double gamma = scale[scaleOff + c];
            float a = (float) (gamma * inv);
            double sumDy = 0;
            double sumDyCentered = 0;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) {
                    float g = dy[dyOff + base + i];
                    sumDy += g;
                    sumDyCentered += g * (x[xOff + base + i] - mu);
                    if (dx != null) {
                        dx[dxOff + base + i] += a * g;
                    }
                }
            }
            if (dScale != null) {
                dScale[dScaleOff + c] += (float) (sumDyCentered * inv);
            }
            if (dBias != null) {
                dBias[dBiasOff + c] += (float) sumDy;
            }
            if (dMean != null) {
                dMean[dMeanOff + c] += (float) (-gamma * inv * sumDy);
            }
            if (dVar != null) {
                dVar[dVarOff + c] += (float) (-0.5 * gamma * inv * inv * inv * sumDyCentered);
            }
        }
    }
}
