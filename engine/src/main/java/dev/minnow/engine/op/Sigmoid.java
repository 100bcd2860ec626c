package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Logistic sigmoid, element-wise: {@code y = 1 / (1 + e^-x)}, in (0, 1).
 *
 * <p><b>Stability.</b> For large negative x, {@code e^-x} overflows to infinity; the result
 * (0) is still right in IEEE arithmetic, but the symmetric form is exact in both tails and never
 * forms an infinity:
 * <pre>
 *   x &gt;= 0:  y = 1 / (1 + e^-x)
 *   x &lt;  0:  y = e^x / (1 + e^x)      (the same function, multiplied through by e^x)
 * </pre>
 * The classic squashing function of early networks (LeNet-era), now mostly found in gates
 * (squeeze-and-excitation, LSTMs) and binary outputs.
 *
 * <p>Backward, from the output alone: {@code dy/dx = e^-x / (1 + e^-x)^2 = y (1 - y)}, so
 * {@code dL/dx = dL/dy * y * (1 - y)}. At most 1/4 (at {@code x = 0}), and vanishing in both tails:
 * the reason deep sigmoid networks trained slowly before ReLU.
 */
public final class Sigmoid implements Op {

    public static Sigmoid fromOnnx(Attributes attributes) {
        attributes.requireOnly("Sigmoid");
        return new Sigmoid();
    }

    @Override
    public String opType() {
        return "Sigmoid";
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
            yd[yo + i] = sigmoid(xd[xo + i]);
        }
    }

    /** {@code dX += dY * Y * (1 - Y)}. */
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
            dxd[dxo + i] += dyd[dyo + i] * v * (1f - v);
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /** The numerically stable sigmoid of one value. */
    public static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sigmoid;
    }

    @Override
    public int hashCode() {
        return Sigmoid.class.hashCode();
    }

    @Override
    public String toString() {
        return "Sigmoid";
    }
}
