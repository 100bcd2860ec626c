package dev.minnow.engine.op;

import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Quantization to uint8 with parameters computed from the data itself (ONNX DynamicQuantizeLinear,
 * the first step of "dynamic" quantization, where activations are quantized at run time):
 * <pre>
 *   x_min = min(0, min(x))     x_max = max(0, max(x))
 *   y_scale      = (x_max - x_min) / 255
 *   y_zero_point = saturate(round(0 - x_min / y_scale))
 *   y            = saturate(round(x / y_scale) + y_zero_point)          round half to even
 * </pre>
 * the affine uint8 parameters of {@link AffineQuantization#uint8} for the tensor's own range.
 * Outputs {@code y, y_scale, y_zero_point}. An all-zero input gets scale 0 and zero point 0.
 */
public final class DynamicQuantizeLinear implements Op {

    public static DynamicQuantizeLinear fromOnnx(Attributes a) {
        a.requireOnly("DynamicQuantizeLinear");
        return new DynamicQuantizeLinear();
    }

    @Override
    public String opType() {
        return "DynamicQuantizeLinear";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "x");
        OpChecks.requireType(x, DataType.FLOAT, "x");
        return List.of(ValueInfo.of(DataType.UINT8, x.shape()), ValueInfo.of(Shape.scalar()),
                ValueInfo.of(DataType.UINT8, Shape.scalar()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        float[] xd = x.data();
        int xo = x.offset();
        int n = x.size();
        float min = 0f;
        float max = 0f;
        for (int i = 0; i < n; i++) {
            float v = xd[xo + i];
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float scale = (max - min) / 255f;
        int zero = scale == 0f ? 0 : (int) Math.max(0, Math.min(255, Math.rint(0f - min / scale)));
        if (outputs.length > 1 && outputs[1] != null) {
            outputs[1].data()[outputs[1].offset()] = scale;
        }
        if (outputs.length > 2 && outputs[2] != null) {
            outputs[2].byteData()[outputs[2].offset()] = (byte) zero;
        }
        Tensor y = outputs[0];
        if (y == null) {
            return;
        }
        byte[] yd = y.byteData();
        int yo = y.offset();
        for (int i = 0; i < n; i++) {
            yd[yo + i] = (byte) (scale == 0f ? zero : AffineQuantization.quantize(xd[xo + i], scale, zero, 0, 255));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DynamicQuantizeLinear;
    }

    @Override
    public int hashCode() {
        return DynamicQuantizeLinear.class.hashCode();
    }

    @Override
    public String toString() {
        return "DynamicQuantizeLinear";
    }
}
