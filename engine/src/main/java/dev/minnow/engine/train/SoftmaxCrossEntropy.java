package dev.minnow.engine.train;

import dev.minnow.engine.tensor.Tensor;

/**
 * Softmax followed by cross-entropy against integer labels, fused, for logits of shape
 * {@code [N, K]}:
 * <pre>
 *   L = -(1/N) sum_n log softmax(z_n)[y_n],   log softmax(z)_k = z_k - max(z) - log sum_j exp(z_j - max(z))
 *   dL/dz_nk = (softmax(z_n)_k - [k == y_n]) / N
 * </pre>
 * Subtracting the row maximum keeps every exponent at most zero, so nothing overflows; fusing the
 * two steps gives the simple gradient {@code p - onehot} instead of back-propagating through the
 * softmax's Jacobian.
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {
    }

    /**
     * Mean loss over the batch; writes {@code dL/dlogits} into {@code grad} when it is not null.
     *
     * @throws IllegalArgumentException on a shape mismatch or a label outside {@code [0, K)}
     */
    public static float lossAndGradient(Tensor logits, int[] labels, Tensor grad) {
        int n = checkLogits(logits, labels);
        int k = logits.shape().dim(1);
        float[] z = logits.data();
        int zo = logits.offset();
        float[] g = grad == null ? null : grad.data();
        int go = grad == null ? 0 : grad.offset();
        double total = 0;
        for (int i = 0; i < n; i++) {
            int row = zo + i * k;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(z[row + j] - max);
            }
            double logSum = Math.log(sum);
            int y = labels[i];
            total += -(z[row + y] - max - logSum);
            if (g != null) {
                int grow = go + i * k;
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(z[row + j] - max - logSum);
                    g[grow + j] = (float) ((p - (j == y ? 1 : 0)) / n);
                }
            }
        }
        return (float) (total / n);
    }

    /** Number of rows whose largest logit is at the label (ties go to the lowest index). */
    public static int correct(Tensor logits, int[] labels) {
        int n = checkLogits(logits, labels);
        int k = logits.shape().dim(1);
        float[] z = logits.data();
        int zo = logits.offset();
        int hits = 0;
        for (int i = 0; i < n; i++) {
            if (argmax(z, zo + i * k, k) == labels[i]) {
                hits++;
            }
        }
        return hits;
    }

    static int argmax(float[] z, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (z[off + j] > z[off + best]) {
                best = j;
            }
        }
        return best;
    }

    static int checkLogits(Tensor logits, int[] labels) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("cross-entropy expects logits [N, K], got " + logits.shape());
        }
        int n = logits.shape().dim(0);
        int k = logits.shape().dim(1);
        if (labels.length < n) {
            throw new IllegalArgumentException("cross-entropy got " + n + " rows of logits but " + labels.length + " labels");
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= k) {
                throw new IllegalArgumentException("label " + labels[i] + " of row " + i + " is outside [0, " + k + ")");
            }
        }
        return n;
    }
}
