package dev.minnow.engine.op;

import dev.minnow.engine.kernel.LocalResponseNorm;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Local response normalisation across channels (ONNX {@code LRN}), from AlexNet
 * (Krizhevsky et al. 2012, section 3.3): each activation is divided by a power of the energy of
 * its neighbours in the channel dimension, a "lateral inhibition" between feature maps.
 * <pre>
 *   square_sum[n, c, i] = sum of X[n, j, i]^2 for j from max(0, c - floor((size-1)/2)) to min(C-1, c + ceil((size-1)/2))
 *   Y[n, c, i] = X[n, c, i] / (bias + alpha / size * square_sum[n, c, i])^beta
 * </pre>
 * {@code i} runs over all spatial positions of {@code X [N, C, D1..Dr]}. AlexNet used
 * {@code size = 5, alpha = 1e-4, beta = 0.75, bias (k) = 2}; GoogLeNet kept it. Note that ONNX
 * divides alpha by size (as Caffe does), and that for even sizes the window reaches further
 * after {@code c} than before it (PyTorch's {@code LocalResponseNorm} does the opposite).
 *
 * <p><b>Backward.</b> Write {@code s_c = bias + alpha/size * square_sum_c}, so {@code y_c = x_c * s_c^-beta}.
 * {@code x_k} reaches {@code y_k} directly and every {@code y_c} whose window holds channel k through
 * {@code ds_c/dx_k = 2 * alpha/size * x_k}:
 * <pre>
 *   dL/dx_k = dy_k * s_k^-beta - 2 * alpha * beta / size * x_k * sum_{c : k in window(c)} dy_c * x_c * s_c^(-beta-1)
 * </pre>
 * where {@code k in window(c)} iff {@code k - ceil((size-1)/2) <= c <= k + floor((size-1)/2)}, the
 * window mirrored (which matters for even sizes). The s values are recomputed rather than saved.
 * The kernels are {@link LocalResponseNorm}'s.
 */
public final class Lrn implements Op {
    private final int size;
    private final float alpha;
    private final float beta;
    private final float bias;

    /**
     * @param size  channels in the window, {@code >= 1}
     * @param alpha scale (ONNX default 1e-4)
     * @param beta  exponent (ONNX default 0.75)
     * @param bias  additive constant, AlexNet's k (ONNX default 1)
     */
    public Lrn(int size, float alpha, float beta, float bias) {
        if (size < 1) {
            throw new IllegalArgumentException("LRN size must be >= 1, found " + size);
        }
        this.size = size;
        this.alpha = alpha;
        this.beta = beta;
        this.bias = bias;
    }

    public static Lrn fromOnnx(Attributes a) {
        a.requireOnly("LRN", "alpha", "beta", "bias", "size");
        if (!a.has("size")) {
            throw new IllegalArgumentException("LRN needs the attribute 'size'");
        }
        return new Lrn(a.getInt("size", 0), a.getFloat("alpha", 1e-4f), a.getFloat("beta", 0.75f),
                a.getFloat("bias", 1f));
    }

    public int size() {
        return size;
    }

    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }

    public float bias() {
        return bias;
    }

    @Override
    public String opType() {
        return "LRN";
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("size", size).set("alpha", alpha).set("beta", beta).set("bias", bias).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "X");
        OpChecks.requireType(x, DataType.FLOAT, "X");
        if (x.shape().rank() < 2) {
            throw new IllegalArgumentException("X must be N x C x ... (rank >= 2), found shape " + x.shape());
        }
        return List.of(ValueInfo.of(x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        LocalResponseNorm.forward(x.data(), x.offset(), y.data(), y.offset(), x.shape().dim(0),
                x.shape().dim(1), x.shape().sizeBetween(2, x.rank()), size, alpha, beta, bias, ctx.threads());
    }

    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        LocalResponseNorm.backward(x.data(), x.offset(), dy.data(), dy.offset(), dx.data(), dx.offset(),
                x.shape().dim(0), x.shape().dim(1), x.shape().sizeBetween(2, x.rank()), size, alpha, beta, bias,
                ctx.threads());
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lrn l && l.size == size && Float.compare(l.alpha, alpha) == 0
                && Float.compare(l.beta, beta) == 0 && Float.compare(l.bias, bias) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, alpha, beta, bias);
    }

    @Override
    public String toString() {
        return "LRN" + attributes();
    }
}
