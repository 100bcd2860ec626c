package dev.minnow.engine.train;

import java.util.List;

/**
 * Adam (Kingma and Ba 2015) and AdamW (Loshchilov and Hutter 2019):
 * <pre>
 *   g  = grad (+ wd * w for Adam's L2 form)
 *   m  = b1 * m + (1 - b1) * g
 *   v  = b2 * v + (1 - b2) * g^2
 *   m^ = m / (1 - b1^t),  v^ = v / (1 - b2^t)
 *   w -= lr * m^ / (sqrt(v^) + eps)  (- lr * wd * w for AdamW's decoupled decay)
 * </pre>
 * AdamW decouples the decay from the adaptive scaling, which makes weight decay behave as it does
 * for SGD. Weight decay applies only to parameters with {@link Parameter#decay()}.
 */
public final class Adam implements Optimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final boolean decoupled;
    private int t;

    private Adam(float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
        if (beta1 < 0f || beta1 >= 1f || beta2 < 0f || beta2 >= 1f) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0f) || weightDecay < 0f) {
            throw new IllegalArgumentException("Adam needs eps > 0 and weight decay >= 0, got " + eps + ", " + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    /** Adam with L2 weight decay added to the gradient (PyTorch's {@code Adam(weight_decay=...)}). */
    public static Adam adam(float weightDecay) {
        return new Adam(0.9f, 0.999f, 1e-8f, weightDecay, false);
    }

    /** AdamW with decoupled weight decay (PyTorch's {@code AdamW}, default 0.01). */
    public static Adam adamW(float weightDecay) {
        return new Adam(0.9f, 0.999f, 1e-8f, weightDecay, true);
    }

    /** Full control over the hyper-parameters. */
    public static Adam of(float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
        return new Adam(beta1, beta2, eps, weightDecay, decoupled);
    }

    @Override
    public void step(List<Parameter> parameters, float lr) {
        t++;
        float c1 = 1f - (float) Math.pow(beta1, t);
        float c2 = 1f - (float) Math.pow(beta2, t);
        for (Parameter p : parameters) {
            p.applyMask();
            int n = p.size();
            if (p.state1 == null) {
                p.state1 = new float[n];
                p.state2 = new float[n];
            }
            float[] m = p.state1;
            float[] v = p.state2;
            float[] w = p.value().data();
            int wo = p.value().offset();
            float[] g = p.grad().data();
            int go = p.grad().offset();
            float rate = lr * p.learningRateScale();
            float wd = p.decay() ? weightDecay : 0f;
            for (int i = 0; i < n; i++) {
                float gi = g[go + i] + (decoupled ? 0f : wd * w[wo + i]);
                m[i] = beta1 * m[i] + (1f - beta1) * gi;
                v[i] = beta2 * v[i] + (1f - beta2) * gi * gi;
                float mh = m[i] / c1;
                float vh = v[i] / c2;
                float update = mh / ((float) Math.sqrt(vh) + eps);
                if (decoupled) {
                    update += wd * w[wo + i];
                }
                w[wo + i] -= rate * update;
            }
            p.applyMask();
        }
    }

    @Override
    public String describe() {
        return (decoupled ? "adamw" : "adam") + "(b1=" + beta1 + ", b2=" + beta2 + ", eps=" + eps
                + ", weight_decay=" + weightDecay + ")";
    }
}
