package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Dequantization back to real numbers (ONNX DequantizeLinear, opset 13):
 * <pre>
 *   y = (x - x_zero_point) * x_scale
 * </pre>
 * Jacob et al.'s affine map. {@code x} is uint8, int8 or int32 (an int32 tensor, such as a
 * quantized bias, has no zero point: it must be absent or 0); scale and zero point are per tensor
 * or per axis ({@code axis}, default 1), as in {@link QuantizeLinear}.
 */
public final class DequantizeLinear implements Op {
    private final int axis;

    public DequantizeLinear(int axis) {
        this.axis = axis;
    }

    public DequantizeLinear() {
        this(1);
    }

    public static DequantizeLinear fromOnnx(Attributes a) {
        a.requireOnly("DequantizeLinear", "axis");
        return new DequantizeLinear(a.getInt("axis", 1));
    }

    public int axis() {
        return axis;
    }

    @Override
    public String opType() {
        return "DequantizeLinear";
    }

    @Override
    public Attributes attributes() {
        return axis == 1 ? Attributes.empty() : Attributes.builder().set("axis", axis).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 3);
        ValueInfo x = OpChecks.require(inputs, 0, "x");
        ValueInfo scale = OpChecks.require(inputs, 1, "x_scale");
        ValueInfo zero = OpChecks.optional(inputs, 2);
        if (x.type() != DataType.UINT8 && x.type() != DataType.INT8 && x.type() != DataType.INT32) {
            throw new IllegalArgumentException("x must be UINT8, INT8 or INT32, found " + x.type());
        }
        int count = scale.shape().size() == 1 ? 0 : x.shape().dim(x.shape().normalizeAxis(axis));
        QuantizationInputs.check(scale, zero, "x_scale", "x_zero_point", count);
        if (zero != null && zero.type() != x.type()) {
            throw new IllegalArgumentException("x_zero_point must have the type of x (" + x.type() + "), found "
                    + zero.type());
        }
        return List.of(ValueInfo.of(x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        float[] scales = QuantizationInputs.scales(inputs[1]);
        Tensor zeroT = QuantizationInputs.input(inputs, 2);
        int[] zeros = QuantizationInputs.zeros(zeroT, scales.length);
        if (x.type() == DataType.INT32) {
            for (int z : zeros) {
                if (z != 0) {
                    throw new IllegalArgumentException("an INT32 x has no zero point, found " + z);
                }
            }
        }
        int n = x.size();
        int inner = 1;
        int channels = 1;
        if (scales.length > 1) {
            Shape s = x.shape();
            int a = s.normalizeAxis(axis);
            channels = s.dim(a);
            inner = s.sizeBetween(a + 1, s.rank());
        }
        float[] out = y.data();
        int yo = y.offset();
        int xo = x.offset();
        switch (x.type()) {
            case INT32 -> {
                int[] xi = x.intData();
                for (int i = 0; i < n; i++) {
                    int c = scales.length == 1 ? 0 : (i / inner) % channels;
                    out[yo + i] = xi[xo + i] * scales[c];
                }
            }
            default -> {
                byte[] xb = x.byteData();
                boolean signed = x.type() == DataType.INT8;
                for (int i = 0; i < n; i++) {
                    int c = scales.length == 1 ? 0 : (i / inner) % channels;
                    int q = signed ? xb[xo + i] : xb[xo + i] & 0xFF;
                    out[yo + i] = (q - zeros[c]) * scales[c];
                }
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DequantizeLinear d && d.axis == axis;
    }

    @Override
    public int hashCode() {
        return DequantizeLinear.class.hashCode() * 31 + axis;
    }

    @Override
    public String toString() {
        return "DequantizeLinear" + attributes();
    }
}
