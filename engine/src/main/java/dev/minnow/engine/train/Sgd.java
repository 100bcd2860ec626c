package dev.minnow.engine.train;

import java.util.List;

/**
 * Stochastic gradient descent with momentum, in PyTorch's formulation:
 * <pre>
 *   g  = grad + wd * w                       (L2 weight decay, parameters with decay() only)
 *   v  = mu * v + g                           (momentum buffer; v = g on the first step)
 *   w -= lr * (nesterov ? g + mu * v : v)
 * </pre>
 * With {@code mu = 0} this is plain SGD. Nesterov momentum (Sutskever et al. 2013) evaluates the
 * gradient "ahead" along the momentum direction, written here in the usual re-parameterised form.
 */
public final class Sgd implements Optimizer {
    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;

    public Sgd(float momentum, boolean nesterov, float weightDecay) {
        if (momentum < 0f || momentum >= 1f) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (weightDecay < 0f) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        if (nesterov && momentum == 0f) {
            throw new IllegalArgumentException("Nesterov momentum needs a momentum > 0");
        }
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(List<Parameter> parameters, float lr) {
        for (Parameter p : parameters) {
            p.applyMask();
            float[] w = p.value().data();
            int wo = p.value().offset();
            float[] g = p.grad().data();
            int go = p.grad().offset();
            int n = p.size();
            float rate = lr * p.learningRateScale();
            float wd = p.decay() ? weightDecay : 0f;
            if (momentum == 0f) {
                for (int i = 0; i < n; i++) {
                    w[wo + i] -= rate * (g[go + i] + wd * w[wo + i]);
                }
            } else {
                boolean first = p.state1 == null;
                if (first) {
                    p.state1 = new float[n];    // zero velocity: the first step's v is the gradient
                }
                // one loop per case, none of them with a select inside, so that C2 vectorises it
                float[] v = p.state1;
                if (nesterov) {
                    for (int i = 0; i < n; i++) {
                        float gi = g[go + i] + wd * w[wo + i];
                        float vi = momentum * v[i] + gi;
                        v[i] = vi;
                        w[wo + i] -= rate * (gi + momentum * vi);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        float vi = momentum * v[i] + (g[go + i] + wd * w[wo + i]);
                        v[i] = vi;
                        w[wo + i] -= rate * vi;
                    }
                }
            }
            p.applyMask();
        }
    }

    @Override
    public String describe() {
        return "sgd(momentum=" + momentum + (nesterov ? ", nesterov" : "") + ", weight_decay=" + weightDecay + ")";
    }
}
