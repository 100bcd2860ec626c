package dev.minnow.engine.op;

import dev.minnow.engine.kernel.FixedPointMultiplier;
import dev.minnow.engine.kernel.QuantizedElementwise;
import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * The sum of two quantized tensors of the same shape (Minnow's native QLinearAdd, the signature
 * of ONNX Runtime's {@code com.microsoft.QLinearAdd}), a residual connection in integers:
 * <pre>
 *   C = saturate(Zc + round((Sa (A - Za) + Sb (B - Zb)) / Sc))
 * </pre>
 * computed integer-only: both inputs shifted left by 20 bits, each rescaled by a fixed-point
 * multiplier to a common scale {@code 2 max(Sa, Sb) / 2^20}, added, and rescaled to {@code Sc}
 * ({@link QuantizedElementwise#add}, after TFLite's quantized Add). A ReLU after the addition is
 * the saturation when {@code Zc} is the type's minimum.
 *
 * <p>Inputs: {@code A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale, C_zero_point},
 * scalars only; the output has A's type. Exported to ONNX as DequantizeLinear, Add,
 * QuantizeLinear.
 */
public final class QLinearAdd implements Op {

    public static QLinearAdd fromOnnx(Attributes a) {
        a.requireOnly("QLinearAdd");
        return new QLinearAdd();
    }

    @Override
    public String opType() {
        return "QLinearAdd";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 8, 8);
        ValueInfo a = OpChecks.require(inputs, 0, "A");
        ValueInfo b = OpChecks.require(inputs, 3, "B");
        QuantizationInputs.require8Bit(a, "A");
        QuantizationInputs.require8Bit(b, "B");
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException("QLinearAdd needs A and B of one shape (no broadcasting), found "
                    + a.shape() + " and " + b.shape());
        }
        QLinearConv.checkPair(inputs, 1, 2, "A_scale", "A_zero_point", a.type(), 0);
        QLinearConv.checkPair(inputs, 4, 5, "B_scale", "B_zero_point", b.type(), 0);
        QLinearConv.checkPair(inputs, 6, 7, "C_scale", "C_zero_point", a.type(), 0);
        return List.of(ValueInfo.of(a.type(), a.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor a = inputs[0];
        Tensor b = inputs[3];
        Tensor c = outputs[0];
        float sa = QuantizationInputs.scalar(inputs[1], "A_scale");
        float sb = QuantizationInputs.scalar(inputs[4], "B_scale");
        float sc = QuantizationInputs.scalar(inputs[6], "C_scale");
        FixedPointMultiplier[] m = ctx.state() instanceof Multipliers old && old.matches(sa, sb, sc) ? old.m
                : remember(ctx, sa, sb, sc);
        QuantizedElementwise.add(a.byteData(), a.offset(), a.type() == DataType.INT8,
                QuantizationInputs.scalarZero(inputs[2], "A_zero_point"), b.byteData(), b.offset(),
                b.type() == DataType.INT8, QuantizationInputs.scalarZero(inputs[5], "B_zero_point"),
                c.byteData(), c.offset(), QuantizationInputs.scalarZero(inputs[7], "C_zero_point"),
                AffineQuantization.typeMin(c.type()), AffineQuantization.typeMax(c.type()), c.size(), m);
    }

    private record Multipliers(float sa, float sb, float sc, FixedPointMultiplier[] m) {
        boolean matches(float a, float b, float c) {
            return a == sa && b == sb && c == sc;
        }
    }

    private static FixedPointMultiplier[] remember(ExecutionContext ctx, float sa, float sb, float sc) {
        FixedPointMultiplier[] m = QuantizedElementwise.addMultipliers(sa, sb, sc);
        ctx.setState(new Multipliers(sa, sb, sc, m));
        return m;
    }

    @Override
    public boolean isTrainableInput(int index) {
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QLinearAdd;
    }

    @Override
    public int hashCode() {
        return QLinearAdd.class.hashCode();
    }

    @Override
    public String toString() {
        return "QLinearAdd";
    }
}
