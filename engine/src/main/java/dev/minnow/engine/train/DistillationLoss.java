package dev.minnow.engine.train;

import dev.minnow.engine.tensor.Tensor;

/**
 * Knowledge distillation (Hinton, Vinyals and Dean 2015, "Distilling the Knowledge in a Neural
 * Network"): the student matches the teacher's <em>soft targets</em> at temperature T, mixed with
 * the usual hard-label loss:
 * <pre>
 *   p = softmax(teacher / T),  q = softmax(student / T)
 *   L = alpha * T^2 * (1/N) sum_n CE(p_n, q_n)  +  (1 - alpha) * CE(softmax(student), y)
 *   dL/dstudent = alpha * T * (q - p) / N  +  (1 - alpha) * (softmax(student) - onehot(y)) / N
 * </pre>
 * A high temperature softens the teacher's distribution and exposes its "dark knowledge" (which
 * wrong classes it finds plausible); the soft term's gradients scale as 1/T^2, hence the T^2
 * factor that keeps both terms comparable when T changes. (CE(p, q) differs from KL(p||q) by the
 * teacher's entropy, a constant for the student, so the gradients are the same.)
 */
public final class DistillationLoss {
    private final float temperature;
    private final float alpha;

    /**
     * @param temperature T > 0 (Hinton used 20 on MNIST; 1 means no softening)
     * @param alpha       weight of the soft term in [0, 1]
     */
    public DistillationLoss(float temperature, float alpha) {
        if (!(temperature > 0f) || !Float.isFinite(temperature)) {
            throw new IllegalArgumentException("distillation temperature must be > 0, got " + temperature);
        }
        if (!(alpha >= 0f && alpha <= 1f)) {
            throw new IllegalArgumentException("distillation alpha must be in [0, 1], got " + alpha);
        }
        this.temperature = temperature;
        this.alpha = alpha;
    }

    public float temperature() {
        return temperature;
    }

    public float alpha() {
        return alpha;
    }

    /**
     * Mean loss; writes {@code dL/dstudent} into {@code grad} when not null.
     *
     * @param teacher logits of the teacher (or the average of an ensemble's), same shape as the student's
     */
    public float lossAndGradient(Tensor student, Tensor teacher, int[] labels, Tensor grad) {
        if (!student.shape().equals(teacher.shape())) {
            throw new IllegalArgumentException("distillation: student logits " + student.shape()
                    + " and teacher logits " + teacher.shape() + " differ in shape");
        }
        int n = SoftmaxCrossEntropy.checkLogits(student, labels);
        int k = student.shape().dim(1);
        float[] s = student.data();
        float[] t = teacher.data();
        int so = student.offset();
        int to = teacher.offset();
        double[] p = new double[k];
        double[] q = new double[k];
        double[] h = new double[k];
        double total = 0;
        for (int i = 0; i < n; i++) {
            softmax(t, to + i * k, k, temperature, p);
            softmax(s, so + i * k, k, temperature, q);
            softmax(s, so + i * k, k, 1f, h);
            double soft = 0;
            for (int j = 0; j < k; j++) {
                soft -= p[j] * Math.log(Math.max(q[j], 1e-30));
            }
            double hard = -Math.log(Math.max(h[labels[i]], 1e-30));
            total += alpha * temperature * temperature * soft + (1 - alpha) * hard;
            if (grad != null) {
                float[] g = grad.data();
                int go = grad.offset() + i * k;
                for (int j = 0; j < k; j++) {
                    double d = alpha * temperature * (q[j] - p[j]) + (1 - alpha) * (h[j] - (j == labels[i] ? 1 : 0));
                    g[go + j] = (float) (d / n);
                }
            }
        }
        return (float) (total / n);
    }

    private static void softmax(float[] z, int off, int k, float temperature, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, z[off + j] / temperature);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            out[j] = Math.exp(z[off + j] / temperature - max);
            sum += out[j];
        }
        for (int j = 0; j < k; j++) {
            out[j] /= sum;
        }
    }
}
