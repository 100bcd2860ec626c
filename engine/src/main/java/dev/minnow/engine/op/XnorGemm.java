package dev.minnow.engine.op;

import dev.minnow.engine.kernel.BinaryConv;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * An XNOR-Net fully connected layer (Minnow's native {@code XnorGemm}): binary weights and binary
 * inputs,
 * <pre>
 *   Y[n, j] = beta_n * alpha[j] * (sign(X[n]) . sign(W[j])) + B[j]
 *   beta_n  = mean over k of |X[n, k]|     (scale_activations = 1, the default; else 1)
 * </pre>
 * computed as {@link XnorConv} computes a convolution, seen as a 1x1 convolution on a 1x1 image
 * with {@code K} channels: each dot product is {@code K - 2 * popcount(X xor W)} over
 * {@code ceil(K/64)} words ({@link BinaryConv}). Inputs: {@code X [N, K]} float; {@code W [M,
 * ceil(K/64)]} INT64, row j the signs of output j's weights (bit set = +1, packed by
 * {@link BinaryConv#packWeights} with a 1x1 kernel); {@code alpha [M]}; optional {@code B [M]}.
 * Inference only.
 */
public final class XnorGemm implements Op {
    private final boolean scaleActivations;

    public XnorGemm(boolean scaleActivations) {
        this.scaleActivations = scaleActivations;
    }

    public static XnorGemm fromOnnx(Attributes a) {
        a.requireOnly("XnorGemm", "scale_activations");
        return new XnorGemm(a.getInt("scale_activations", 1) != 0);
    }

    public boolean scaleActivations() {
        return scaleActivations;
    }

    @Override
    public String opType() {
        return "XnorGemm";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        return scaleActivations ? Attributes.empty() : Attributes.builder().set("scale_activations", 0).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 3, 4);
        ValueInfo x = OpChecks.require(inputs, 0, "X");
        ValueInfo w = OpChecks.require(inputs, 1, "W");
        ValueInfo alpha = OpChecks.require(inputs, 2, "alpha");
        ValueInfo b = OpChecks.optional(inputs, 3);
        OpChecks.requireType(x, DataType.FLOAT, "X");
        OpChecks.requireType(w, DataType.INT64, "W (packed sign bits)");
        OpChecks.requireType(alpha, DataType.FLOAT, "alpha");
        if (x.shape().rank() != 2) {
            throw new IllegalArgumentException("X must be N x K, found shape " + x.shape());
        }
        int k = x.shape().dim(1);
        Shape ws = w.shape();
        if (ws.rank() != 2 || ws.dim(1) != BinaryConv.words(k)) {
            throw new IllegalArgumentException("W must be M x ceil(K/64) = M x " + BinaryConv.words(k)
                    + " words for X's K = " + k + ", found shape " + ws);
        }
        int m = ws.dim(0);
        if (alpha.shape().rank() != 1 || alpha.shape().dim(0) != m) {
            throw new IllegalArgumentException("alpha must have shape [M] = [" + m + "], found " + alpha.shape());
        }
        if (b != null) {
            OpChecks.requireType(b, DataType.FLOAT, "B");
            if (b.shape().rank() != 1 || b.shape().dim(0) != m) {
                throw new IllegalArgumentException("B must have shape [M] = [" + m + "], found " + b.shape());
            }
        }
        return List.of(ValueInfo.of(Shape.of(x.shape().dim(0), m)));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        Tensor b = inputs.length > 3 ? inputs[3] : null;
        int n = x.shape().dim(0);
        int k = x.shape().dim(1);
        int m = w.shape().dim(0);
        BinaryConv.Shape s = new BinaryConv.Shape(k, 1, 1, m, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1);
        Images images = ctx.state() instanceof Images old && old.bits.length == n * s.activationLongs() && old.shape.equals(s)
                ? old : new Images(s, n);
        ctx.setState(images);
        float[] xd = x.data();
        for (int i = 0; i < n; i++) {
            int xo = x.offset() + i * k;
            float beta = 1f;
            if (scaleActivations) {
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += Math.abs(xd[xo + j]);
                }
                beta = (float) (sum / k);
            }
            images.betas[i] = beta;
            BinaryConv.packActivations(xd, xo, k, 1, 1, images.bits, i * s.activationLongs());
        }
        images.set(w, inputs[2], b, outputs[0]);
        Parallel.forRange(ctx.threads(), n, images);
    }

    /** The packed images and their scales: a reusable loop body over images. */
    private static final class Images implements Parallel.RangeBody {
        final BinaryConv.Shape shape;
        final long[] bits;
        final float[] betas;
        private Tensor w;
        private Tensor alpha;
        private Tensor bias;
        private Tensor y;

        Images(BinaryConv.Shape s, int n) {
            shape = s;
            bits = new long[n * s.activationLongs()];
            betas = new float[n];
        }

        void set(Tensor weights, Tensor scales, Tensor b, Tensor out) {
            w = weights;
            alpha = scales;
            bias = b;
            y = out;
        }

        @Override
        public void run(int from, int to) {
            int m = shape.outChannels();
            for (int i = from; i < to; i++) {
                BinaryConv.forwardRows(shape, bits, i * shape.activationLongs(), w.longData(), w.offset(),
                        alpha.data(), alpha.offset(), betas[i], bias == null ? null : bias.data(),
                        bias == null ? 0 : bias.offset(), y.data(), y.offset() + i * m, 0, 1);
            }
        }
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        return outputs.get(0).shape().size() * (long) inputs.get(0).shape().dim(1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XnorGemm g && g.scaleActivations == scaleActivations;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(scaleActivations);
    }

    @Override
    public String toString() {
        return opType() + attributes();
    }
}
