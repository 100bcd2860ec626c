package dev.minnow.engine.op;

import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Quantization of a real tensor to 8 bits (ONNX QuantizeLinear, opset 13):
 * <pre>
 *   y = saturate(round(x / y_scale) + y_zero_point)      round half to even; saturate to uint8 or int8
 * </pre>
 * the inverse of Jacob et al.'s affine map {@code real = scale * (q - zero_point)}
 * ({@link AffineQuantization}). {@code y_scale} and {@code y_zero_point} are scalars (per tensor)
 * or 1-D lists along {@code axis} (per axis, default 1: per channel); the output type is the zero
 * point's, uint8 when it is absent. {@code x} may be float or int32.
 */
public final class QuantizeLinear implements Op {
    private final int axis;

    public QuantizeLinear(int axis) {
        this.axis = axis;
    }

    /** Per-tensor (or per-channel on axis 1) quantization. */
    public QuantizeLinear() {
        this(1);
    }

    public static QuantizeLinear fromOnnx(Attributes a) {
        a.requireOnly("QuantizeLinear", "axis");
        return new QuantizeLinear(a.getInt("axis", 1));
    }

    public int axis() {
        return axis;
    }

    @Override
    public String opType() {
        return "QuantizeLinear";
    }

    @Override
    public Attributes attributes() {
        return axis == 1 ? Attributes.empty() : Attributes.builder().set("axis", axis).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 3);
        ValueInfo x = OpChecks.require(inputs, 0, "x");
        ValueInfo scale = OpChecks.require(inputs, 1, "y_scale");
        ValueInfo zero = OpChecks.optional(inputs, 2);
        if (x.type() != DataType.FLOAT && x.type() != DataType.INT32) {
            throw new IllegalArgumentException("x must be FLOAT or INT32, found " + x.type());
        }
        QuantizationInputs.check(scale, zero, "y_scale", "y_zero_point", axisLength(x.shape(), scale.shape()));
        DataType out = QuantizationInputs.quantizedType(zero);
        QuantizationInputs.require8Bit(ValueInfo.of(out, Shape.scalar()), "y_zero_point");
        return List.of(ValueInfo.of(out, x.shape()));
    }

    /** The length of the quantization axis when the scale is a list, else 0. */
    private int axisLength(Shape x, Shape scale) {
        if (scale.rank() == 0 || scale.size() == 1) {
            return 0;
        }
        return x.dim(x.normalizeAxis(axis));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        float[] scales = QuantizationInputs.scales(inputs[1]);
        int[] zeros = QuantizationInputs.zeros(QuantizationInputs.input(inputs, 2), scales.length);
        int qmin = AffineQuantization.typeMin(y.type());
        int qmax = AffineQuantization.typeMax(y.type());
        int n = x.size();
        int inner = 1;
        int channels = 1;
        if (scales.length > 1) {
            int a = x.shape().normalizeAxis(axis);
            channels = x.shape().dim(a);
            inner = x.shape().sizeBetween(a + 1, x.rank());
        }
        byte[] out = y.byteData();
        int yo = y.offset();
        boolean isFloat = x.type() == DataType.FLOAT;
        float[] xf = isFloat ? x.data() : null;
        int[] xi = isFloat ? null : x.intData();
        int xo = x.offset();
        for (int i = 0; i < n; i++) {
            int c = scales.length == 1 ? 0 : (i / inner) % channels;
            float v = isFloat ? xf[xo + i] : xi[xo + i];
            out[yo + i] = (byte) AffineQuantization.quantize(v, scales[c], zeros[c], qmin, qmax);
        }
    }

    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantizeLinear q && q.axis == axis;
    }

    @Override
    public int hashCode() {
        return QuantizeLinear.class.hashCode() * 31 + axis;
    }

    @Override
    public String toString() {
        return "QuantizeLinear" + attributes();
    }
}
