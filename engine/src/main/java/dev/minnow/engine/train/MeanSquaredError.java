package dev.minnow.engine.train;

import dev.minnow.engine.tensor.Tensor;

/**
 * Mean squared error {@code L = (1/M) sum_i (x_i - t_i)^2} over all M elements, with gradient
 * {@code dL/dx_i = 2 (x_i - t_i) / M} (PyTorch's {@code MSELoss(reduction='mean')}).
 */
public final class MeanSquaredError {
    private MeanSquaredError() {
    }

    /** Mean loss; writes {@code dL/dprediction} into {@code grad} when it is not null. */
    public static float lossAndGradient(Tensor prediction, Tensor target, Tensor grad) {
        if (!prediction.shape().equals(target.shape())) {
            throw new IllegalArgumentException("MSE: prediction " + prediction.shape() + " and target "
                    + target.shape() + " differ in shape");
        }
        int m = prediction.size();
        float[] x = prediction.data();
        float[] t = target.data();
        int xo = prediction.offset();
        int to = target.offset();
        double sum = 0;
        for (int i = 0; i < m; i++) {
            float d = x[xo + i] - t[to + i];
            sum += (double) d * d;
            if (grad != null) {
                grad.data()[grad.offset() + i] = 2f * d / m;
            }
        }
        return (float) (sum / m);
    }
}
