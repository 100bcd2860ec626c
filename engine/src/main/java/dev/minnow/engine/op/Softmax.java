package dev.minnow.engine.op;

import dev.minnow.engine.kernel.SoftmaxKernels;

/**
 * Softmax along one axis: {@code y_i = e^(x_i) / sum_k e^(x_k)}, the k running over the axis.
 * Turns a classifier's scores (logits) into probabilities that are positive and sum to 1.
 *
 * <p>Computed as {@code e^(x_i - m) / sum_k e^(x_k - m)} with {@code m = max_k x_k}, which is
 * the same value (the factor {@code e^-m} cancels) but cannot overflow: see
 * {@link SoftmaxKernels}. Which elements form one softmax (one axis, or all trailing axes for
 * opsets before 13) is described in {@link SoftmaxAlongAxis}.
 *
 * <p>Backward: {@code dL/dx_j = y_j * (dL/dy_j - sum_i dL/dy_i * y_i)}, from
 * {@code dy_i/dx_j = y_i (delta_ij - y_j)}.
 */
public final class Softmax extends SoftmaxAlongAxis {

    /** Softmax along {@code axis} (negative counts from the end), opset-13 semantics. */
    public Softmax(int axis) {
        super(axis, false);
    }

    /** Softmax along the last axis. */
    public Softmax() {
        this(-1);
    }

    /**
     * Softmax along {@code axis}; with {@code coerceTo2d} every axis from {@code axis} on is
     * normalised together (opsets 1-12).
     */
    public Softmax(int axis, boolean coerceTo2d) {
        super(axis, coerceTo2d);
    }

    /** Reads a Softmax node, with the semantics of the model's opset. */
    public static Softmax fromOnnx(Attributes attributes, int opset) {
        return new Softmax(axisFromOnnx("Softmax", attributes, opset), opset < 13);
    }

    @Override
    public String opType() {
        return "Softmax";
    }

    @Override
    void normalize(float[] x, int xo, float[] y, int yo, int outer, int n, int inner) {
        SoftmaxKernels.softmax(x, xo, y, yo, outer, n, inner);
    }

    @Override
    void normalizeBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int outer, int n, int inner) {
        SoftmaxKernels.softmaxBackward(y, yo, dy, dyo, dx, dxo, outer, n, inner);
    }
}
