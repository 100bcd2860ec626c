package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Hyperbolic tangent, element-wise: {@code y = (e^x - e^-x) / (e^x + e^-x) = 2 sigmoid(2x) - 1},
 * in (-1, 1). Computed with {@link Math#tanh}, which saturates cleanly to ±1 for large |x|
 * instead of forming inf/inf.
 *
 * <p>Backward, from the output alone: {@code dy/dx = 1 - tanh(x)^2 = 1 - y^2}, so
 * {@code dL/dx = dL/dy * (1 - y^2)} (at most 1, at {@code x = 0}).
 */
public final class Tanh implements Op {

    public static Tanh fromOnnx(Attributes attributes) {
        attributes.requireOnly("Tanh");
        return new Tanh();
    }

    @Override
    public String opType() {
        return "Tanh";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "X");
        OpChecks.requireType(x, DataType.FLOAT, "X");
        return List.of(ValueInfo.of(x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        float[] xd = x.data();
        float[] yd = y.data();
        int xo = x.offset();
        int yo = y.offset();
        int n = x.size();
        for (int i = 0; i < n; i++) {
            yd[yo + i] = (float) Math.tanh(xd[xo + i]);
        }
    }

    /** {@code dX += dY * (1 - Y^2)}. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor y = outputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        float[] yd = y.data();
        float[] dyd = dy.data();
        float[] dxd = dx.data();
        int yo = y.offset();
        int dyo = dy.offset();
        int dxo = dx.offset();
        int n = y.size();
        for (int i = 0; i < n; i++) {
            float v = yd[yo + i];
            dxd[dxo + i] += dyd[dyo + i] * (1f - v * v);
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tanh;
    }

    @Override
    public int hashCode() {
        return Tanh.class.hashCode();
    }

    @Override
    public String toString() {
        return "Tanh";
    }
}
