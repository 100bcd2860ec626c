package dev.minnow.compression.lowbit;

import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.OpRegistry;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Binarised activations for training an XNOR-Net layer with the straight-through estimator: the
 * input of the convolution becomes
 * <pre>
 *   forward:   y = beta_n * sign(x)        beta_n = mean over c, h, w of |x[n]|   (sign(0) = +1)
 *   backward:  dL/dx = dL/dy * beta_n * 1{|x| <= 1}
 * </pre>
 * the gradient of {@code beta_n * hardtanh(x)}, with {@code beta_n} treated as a constant (Hubara
 * et al. 2016's estimator, which XNOR-Net uses). {@code beta_n} is the simpler, per-image form of
 * XNOR-Net's activation scale {@code K} (see {@link dev.minnow.engine.op.XnorConv}, which computes
 * the same at inference: the convolution of {@code y} with the binarised weights equals its output).
 * Without {@code scale} it is 1.
 *
 * <p>A training-only op: {@link LowBitQuantizer#pack} fuses it with the convolution it feeds into an
 * {@code XnorConv}, so it is not registered with {@link OpRegistry}.
 */
public final class BinaryActivation implements Op {
    private final boolean scale;

    public BinaryActivation(boolean scale) {
        this.scale = scale;
    }

    /** Whether the output is scaled by {@code beta_n} (else by 1). */
    public boolean scale() {
        return scale;
    }

    @Override
    public String opType() {
        return "BinaryActivation";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("scale", scale ? 1 : 0).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        if (inputs.size() != 1 || inputs.get(0) == null) {
            throw new IllegalArgumentException("BinaryActivation takes one input, found " + inputs.size());
        }
        ValueInfo x = inputs.get(0);
        if (x.type() != DataType.FLOAT || x.shape().rank() < 2) {
            throw new IllegalArgumentException("BinaryActivation needs a FLOAT tensor [N, ...], found " + x.type() + " "
                    + x.shape());
        }
        return List.of(ValueInfo.of(x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        int images = x.shape().dim(0);
        int per = x.size() / images;
        float[] xd = x.data();
        float[] yd = y.data();
        for (int n = 0; n < images; n++) {
            int xo = x.offset() + n * per;
            int yo = y.offset() + n * per;
            float beta = beta(xd, xo, per);
            for (int i = 0; i < per; i++) {
                yd[yo + i] = xd[xo + i] >= 0f ? beta : -beta;
            }
        }
    }

    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        Tensor x = inputs[0];
        int images = x.shape().dim(0);
        int per = x.size() / images;
        float[] xd = x.data();
        float[] dyd = dy.data();
        float[] dxd = dx.data();
        for (int n = 0; n < images; n++) {
            int xo = x.offset() + n * per;
            float beta = beta(xd, xo, per);
            for (int i = 0; i < per; i++) {
                if (Math.abs(xd[xo + i]) <= 1f) {
                    dxd[dx.offset() + n * per + i] += beta * dyd[dy.offset() + n * per + i];
                }
            }
        }
    }

    /** {@code mean |x|} over one image (accumulated in double, as XnorConv does), or 1. */
    private float beta(float[] x, int off, int n) {
        if (!scale) {
            return 1f;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.abs(x[off + i]);
        }
        return (float) (sum / n);
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BinaryActivation b && b.scale == scale;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(scale);
    }

    @Override
    public String toString() {
        return opType() + attributes();
    }
}
