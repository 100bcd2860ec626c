package dev.minnow.engine.op;

import dev.minnow.engine.kernel.SoftmaxKernels;

/**
 * Log-softmax along one axis: {@code y_i = x_i - log(sum_k e^(x_k))}, the log of
 * {@link Softmax}'s probabilities, the input that a negative log-likelihood loss expects.
 *
 * <p>Computed as {@code x_i - m - log(sum_k e^(x_k - m))} with {@code m = max_k x_k}: no
 * exponential overflows, and a probability too small for a float still has a finite log (see
 * {@link SoftmaxKernels}). Which elements are normalised together (one axis, or all trailing
 * axes for opsets before 13) is described in {@link SoftmaxAlongAxis}.
 *
 * <p>Backward: {@code dL/dx_j = dL/dy_j - softmax_j * sum_i dL/dy_i} with
 * {@code softmax_j = e^(y_j)}, from {@code dy_i/dx_j = delta_ij - softmax_j}. Followed by a
 * negative log-likelihood ({@code g = -onehot}), this is the familiar {@code softmax - onehot}.
 */
public final class LogSoftmax extends SoftmaxAlongAxis {

    /** Log-softmax along {@code axis} (negative counts from the end), opset-13 semantics. */
    public LogSoftmax(int axis) {
        super(axis, false);
    }

    /** Log-softmax along the last axis. */
    public LogSoftmax() {
        this(-1);
    }

    /**
     * Log-softmax along {@code axis}; with {@code coerceTo2d} every axis from {@code axis} on is
     * normalised together (opsets 1-12).
     */
    public LogSoftmax(int axis, boolean coerceTo2d) {
        super(axis, coerceTo2d);
    }

    /** Reads a LogSoftmax node, with the semantics of the model's opset. */
    public static LogSoftmax fromOnnx(Attributes attributes, int opset) {
        return new LogSoftmax(axisFromOnnx("LogSoftmax", attributes, opset), opset < 13);
    }

    @Override
    public String opType() {
        return "LogSoftmax";
    }

    @Override
    void normalize(float[] x, int xo, float[] y, int yo, int outer, int n, int inner) {
        SoftmaxKernels.logSoftmax(x, xo, y, yo, outer, n, inner);
    }

    @Override
    void normalizeBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int outer, int n, int inner) {
        SoftmaxKernels.logSoftmaxBackward(y, yo, dy, dyo, dx, dxo, outer, n, inner);
    }
}
