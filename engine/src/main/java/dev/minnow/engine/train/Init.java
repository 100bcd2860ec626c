package dev.minnow.engine.train;

import dev.minnow.engine.tensor.Tensor;
import java.util.Random;

/**
 * Weight initialisers. All draw from a {@link Random} the caller seeds, and {@code Random}'s
 * algorithm is fixed by its specification, so the same seed gives the same weights bit for bit on
 * every JVM.
 *
 * <p>For a weight of shape {@code [out, in, k...]} (Conv: {@code [C_out, C_in/group, kH, kW]};
 * Gemm with transB: {@code [out, in]}), {@code fan_in = in * prod(k)} and
 * {@code fan_out = out * prod(k)}.
 * <ul>
 * <li>He/Kaiming (He et al. 2015), for ReLU networks: variance {@code 2 / fan_in}, so activations
 *     keep their scale through many ReLU layers.</li>
 * <li>Xavier/Glorot (Glorot and Bengio 2010), for tanh/sigmoid or linear layers: variance
 *     {@code 2 / (fan_in + fan_out)}.</li>
 * <li>{@link #pytorchDefault}: what {@code torch.nn.Conv2d}/{@code Linear} do by default,
 *     {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))} (Kaiming-uniform with a = sqrt(5)).</li>
 * </ul>
 */
public final class Init {
    private Init() {
    }

    public static int fanIn(Tensor w) {
        return w.rank() < 2 ? w.size() : w.size() / w.shape().dim(0);
    }

    public static int fanOut(Tensor w) {
        return w.rank() < 2 ? w.size() : w.size() / w.shape().dim(1);
    }

    /** He-normal: {@code N(0, 2 / fan_in)}. */
    public static void kaimingNormal(Tensor w, Random r) {
        gaussian(w, Math.sqrt(2.0 / fanIn(w)), r);
    }

    /** He-uniform: {@code U(-b, b)} with {@code b = sqrt(6 / fan_in)}. */
    public static void kaimingUniform(Tensor w, Random r) {
        uniform(w, Math.sqrt(6.0 / fanIn(w)), r);
    }

    /** Glorot-uniform: {@code U(-b, b)} with {@code b = sqrt(6 / (fan_in + fan_out))}. */
    public static void xavierUniform(Tensor w, Random r) {
        uniform(w, Math.sqrt(6.0 / (fanIn(w) + fanOut(w))), r);
    }

    /** Glorot-normal: {@code N(0, 2 / (fan_in + fan_out))}. */
    public static void xavierNormal(Tensor w, Random r) {
        gaussian(w, Math.sqrt(2.0 / (fanIn(w) + fanOut(w))), r);
    }

    /** PyTorch's default for Conv and Linear weights and biases: {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}. */
    public static void pytorchDefault(Tensor t, int fanIn, Random r) {
        uniform(t, 1.0 / Math.sqrt(fanIn), r);
    }

    /** {@code U(-bound, bound)}. */
    public static void uniform(Tensor t, double bound, Random r) {
        float[] d = t.data();
        int o = t.offset();
        for (int i = 0, n = t.size(); i < n; i++) {
            d[o + i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        }
    }

    /** {@code N(0, std^2)}. */
    public static void gaussian(Tensor t, double std, Random r) {
        float[] d = t.data();
        int o = t.offset();
        for (int i = 0, n = t.size(); i < n; i++) {
            d[o + i] = (float) (r.nextGaussian() * std);
        }
    }

    /** Sets every element to {@code value}. */
    public static void fill(Tensor t, float value) {
        java.util.Arrays.fill(t.data(), t.offset(), t.offset() + t.size(), value);
    }
}
