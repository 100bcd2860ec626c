package dev.minnow.engine.train;

import dev.minnow.engine.tensor.Tensor;

/**
 * A trainable tensor of a graph (a weight, a bias, a BN scale or shift) with its gradient and the
 * per-parameter settings the optimizer honours.
 *
 * <p>The value is the graph's own initializer tensor, updated in place. The optional
 * <b>mask</b> (same shape, 0 or 1) pins masked weights at exactly zero through every step: the
 * optimizer zeroes their gradient, their momentum or Adam moments, and the weight itself, so a
 * pruned connection never comes back (Han et al. 2015, "Learning both Weights and Connections").
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final Tensor grad;
    private float learningRateScale = 1f;
    private boolean decay;
    private Tensor mask;
    /** Optimizer state (momentum buffer, Adam's first and second moments), created on first use. */
    float[] state1;
    float[] state2;

    /**
     * @param name  the initializer's name in the graph
     * @param value the tensor updated in place
     * @param grad  the gradient of the loss with respect to it, same shape
     */
    public Parameter(String name, Tensor value, Tensor grad) {
        if (!value.shape().equals(grad.shape())) {
            throw new IllegalArgumentException("parameter '" + name + "': gradient " + grad.shape()
                    + " does not match value " + value.shape());
        }
        this.name = name;
        this.value = value;
        this.grad = grad;
        this.decay = value.rank() >= 2;
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    public Tensor grad() {
        return grad;
    }

    /** Multiplier of the global learning rate for this parameter (DeepRebirth retrains merged layers at 10x). */
    public float learningRateScale() {
        return learningRateScale;
    }

    public Parameter setLearningRateScale(float scale) {
        if (!(scale >= 0f) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("parameter '" + name + "': learning-rate scale must be >= 0, got " + scale);
        }
        this.learningRateScale = scale;
        return this;
    }

    /** Whether weight decay and regularisation apply (by default: weights of rank >= 2, not biases or BN parameters). */
    public boolean decay() {
        return decay;
    }

    public Parameter setDecay(boolean decay) {
        this.decay = decay;
        return this;
    }

    public Tensor mask() {
        return mask;
    }

    /** Sets (or clears, with null) the mask and applies it to the value at once. */
    public Parameter setMask(Tensor newMask) {
        if (newMask != null && !newMask.shape().equals(value.shape())) {
            throw new IllegalArgumentException("parameter '" + name + "': mask " + newMask.shape()
                    + " does not match value " + value.shape());
        }
        this.mask = newMask;
        applyMask();
        return this;
    }

    /** Zeroes the masked elements of the value, the gradient and the optimizer state. */
    void applyMask() {
        if (mask == null) {
            return;
        }
        float[] m = mask.data();
        int mo = mask.offset();
        float[] w = value.data();
        int wo = value.offset();
        float[] g = grad.data();
        int go = grad.offset();
        for (int i = 0, n = value.size(); i < n; i++) {
            if (m[mo + i] == 0f) {
                w[wo + i] = 0f;
                g[go + i] = 0f;
                if (state1 != null) {
                    state1[i] = 0f;
                }
                if (state2 != null) {
                    state2[i] = 0f;
                }
            }
        }
    }

    /** Number of elements. */
    public int size() {
        return value.size();
    }

    @Override
    public String toString() {
        return "Parameter(" + name + " " + value.shape() + (mask != null ? ", masked" : "")
                + (learningRateScale != 1f ? ", lr x" + learningRateScale : "") + ")";
    }
}
