package dev.minnow.engine.op;

import dev.minnow.engine.kernel.QuantizedGemm;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Integer matrix product with zero points (ONNX MatMulInteger), NumPy {@code matmul} semantics:
 * <pre>
 *   Y[..., i, j] = sum_p (A[..., i, p] - a_zero_point[i]) * (B[..., p, j] - b_zero_point[j])     (int32)
 * </pre>
 * A and B are uint8 or int8; a zero point is a scalar, or one per row of A / per column of B. The
 * integer core of a dynamically quantized fully connected layer; the caller rescales the int32
 * result. Runs the reference loops of {@link QuantizedGemm#matmulNaive}.
 */
public final class MatMulInteger implements Op {

    public static MatMulInteger fromOnnx(Attributes a) {
        a.requireOnly("MatMulInteger");
        return new MatMulInteger();
    }

    @Override
    public String opType() {
        return "MatMulInteger";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 4);
        ValueInfo a = OpChecks.require(inputs, 0, "A");
        ValueInfo b = OpChecks.require(inputs, 1, "B");
        QuantizationInputs.require8Bit(a, "A");
        QuantizationInputs.require8Bit(b, "B");
        checkZero(OpChecks.optional(inputs, 2), a.type(), a.shape().rank() == 1 ? 1 : a.shape().dim(-2), "a_zero_point");
        checkZero(OpChecks.optional(inputs, 3), b.type(), b.shape().rank() == 1 ? 1 : b.shape().dim(-1), "b_zero_point");
        return List.of(ValueInfo.of(DataType.INT32, MatMulLayout.outputShape(a.shape(), b.shape())));
    }

    static void checkZero(ValueInfo z, DataType type, int count, String name) {
        if (z == null) {
            return;
        }
        if (z.type() != type) {
            throw new IllegalArgumentException(name + " must have the type of its operand (" + type + "), found "
                    + z.type());
        }
        if (z.shape().rank() > 1 || (z.shape().size() != 1 && z.shape().size() != count)) {
            throw new IllegalArgumentException(name + " must be a scalar or hold " + count + " values, found shape "
                    + z.shape());
        }
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor y = outputs[0];
        int[] za = QuantizationInputs.zeros(QuantizationInputs.input(inputs, 2), 1);
        int[] zb = QuantizationInputs.zeros(QuantizationInputs.input(inputs, 3), 1);
        MatMulLayout l = new MatMulLayout(a.shape(), b.shape());
        for (int batch = 0; batch < l.batches; batch++) {
            QuantizedGemm.matmulNaive(l.m, l.n, l.k, a.byteData(), a.offset() + l.aOffset(batch),
                    a.type() == DataType.INT8, za, b.byteData(), b.offset() + l.bOffset(batch),
                    b.type() == DataType.INT8, zb, y.intData(), y.offset() + batch * l.m * l.n);
        }
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        return (long) outputs.get(0).shape().size() * inputs.get(0).shape().dim(-1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MatMulInteger;
    }

    @Override
    public int hashCode() {
        return MatMulInteger.class.hashCode();
    }

    @Override
    public String toString() {
        return "MatMulInteger";
    }
}
