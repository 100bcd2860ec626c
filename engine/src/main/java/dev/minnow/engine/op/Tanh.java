package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Hyperbolic tangent, element-wise: {@code y = (e^x - e^-x) / (e^x + e^-x) = 2 sigmoid(2x) - 1},
 * in (-1, 1). Computed with {@link Math#tanh}, which saturates cleanly to ±1 for large |x|
 * instead of forming inf/inf.
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
