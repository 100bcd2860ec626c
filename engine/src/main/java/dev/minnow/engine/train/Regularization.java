package dev.minnow.engine.train;

import java.util.List;

/**
 * Penalty terms added to the loss for weights with {@link Parameter#decay()}:
 * {@code l1 * sum|w| + l2/2 * sum w^2}, whose gradients {@code l1 * sign(w) + l2 * w} are added
 * to the parameters' gradients before the optimizer step.
 *
 * <p>The L1 term drives many weights to (near) zero: the seeds' "regularisation makes weights
 * sparse", an alternative route to the sparsity that magnitude pruning then harvests.
 */
public record Regularization(float l1, float l2) {

    public static final Regularization NONE = new Regularization(0f, 0f);

    public Regularization {
        if (l1 < 0f || l2 < 0f) {
            throw new IllegalArgumentException("regularisation strengths must be >= 0, got l1=" + l1 + ", l2=" + l2);
        }
    }

    /** Adds the penalty's gradient to every parameter's gradient; returns the penalty's value. */
    public float apply(List<Parameter> parameters) {
        if (l1 == 0f && l2 == 0f) {
            return 0f;
        }
        double penalty = 0;
        for (Parameter p : parameters) {
            if (!p.decay()) {
                continue;
            }
            float[] w = p.value().data();
            int wo = p.value().offset();
            float[] g = p.grad().data();
            int go = p.grad().offset();
            for (int i = 0, n = p.size(); i < n; i++) {
                float wi = w[wo + i];
                g[go + i] += l1 * Math.signum(wi) + l2 * wi;
                penalty += l1 * Math.abs(wi) + 0.5 * l2 * wi * wi;
            }
        }
        return (float) penalty;
    }
}
