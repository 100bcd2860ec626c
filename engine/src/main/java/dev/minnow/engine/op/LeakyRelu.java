package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Leaky rectified linear unit, element-wise:
 * <pre>
 *   y = x          if x &gt;= 0
 *   y = alpha * x  otherwise          (alpha default 0.01)
 * </pre>
 * Maas et al. (2013) let a small gradient through for negative inputs so that units never "die"
 * as ReLU units can; YOLO's Darknet uses {@code alpha = 0.1}.
 *
 * <p>Backward: {@code dL/dx = dL/dy} where {@code x > 0}, {@code alpha * dL/dy} elsewhere (at
 * {@code x = 0} the slope is taken as {@code alpha}, as in PyTorch).
 */
public final class LeakyRelu implements Op {
    /** ONNX's default slope for negative inputs. */
    public static final float DEFAULT_ALPHA = 0.01f;

    private final float alpha;

    public LeakyRelu(float alpha) {
        if (!Float.isFinite(alpha)) {
            throw new IllegalArgumentException("LeakyRelu alpha must be finite, got " + alpha);
        }
        this.alpha = alpha;
    }

    public LeakyRelu() {
        this(DEFAULT_ALPHA);
    }

    public static LeakyRelu fromOnnx(Attributes attributes) {
        attributes.requireOnly("LeakyRelu", "alpha");
        return new LeakyRelu(attributes.getFloat("alpha", DEFAULT_ALPHA));
    }

    public float alpha() {
        return alpha;
    }

    @Override
    public String opType() {
        return "LeakyRelu";
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("alpha", alpha).build();
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
            float v = xd[xo + i];
            yd[yo + i] = v >= 0 ? v : alpha * v;
        }
    }

    /** {@code dX += dY * (X > 0 ? 1 : alpha)}. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        float[] xd = x.data();
        float[] dyd = dy.data();
        float[] dxd = dx.data();
        int xo = x.offset();
        int dyo = dy.offset();
        int dxo = dx.offset();
        int n = x.size();
        for (int i = 0; i < n; i++) {
            float g = dyd[dyo + i];
            dxd[dxo + i] += xd[xo + i] > 0f ? g : alpha * g;
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LeakyRelu other && Float.compare(other.alpha, alpha) == 0;
    }

    @Override
    public int hashCode() {
        return Float.hashCode(alpha);
    }

    @Override
    public String toString() {
        return "LeakyRelu(alpha=" + alpha + ")";
    }
}
