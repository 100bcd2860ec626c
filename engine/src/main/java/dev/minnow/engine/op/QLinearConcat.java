package dev.minnow.engine.op;

import dev.minnow.engine.kernel.FixedPointMultiplier;
import dev.minnow.engine.kernel.QuantizedElementwise;
import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Concatenation of quantized tensors along an axis (Minnow's native QLinearConcat, the signature
 * of ONNX Runtime's {@code com.microsoft.QLinearConcat}): each input is moved to the output's
 * quantization parameters, then copied into place,
 * <pre>
 *   Y = concat_axis(saturate(Zy + round((Sx_i / Sy) * (X_i - Zx_i))))
 * </pre>
 * with an integer-only rescaling per input ({@link QuantizedElementwise#rescale}); an input that
 * already has the output's parameters is copied as is.
 *
 * <p>Inputs: {@code Y_scale, Y_zero_point}, then {@code X_i, X_i_scale, X_i_zero_point} for each
 * input. Exported to ONNX as DequantizeLinear, Concat, QuantizeLinear.
 */
public final class QLinearConcat implements Op {
    private final int axis;

    public QLinearConcat(int axis) {
        this.axis = axis;
    }

    public static QLinearConcat fromOnnx(Attributes a) {
        a.requireOnly("QLinearConcat", "axis");
        if (!a.has("axis")) {
            throw new IllegalArgumentException("QLinearConcat needs the attribute 'axis'");
        }
        return new QLinearConcat(a.getInt("axis", 1));
    }

    public int axis() {
        return axis;
    }

    @Override
    public String opType() {
        return "QLinearConcat";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("axis", axis).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        if (inputs.size() < 5 || (inputs.size() - 2) % 3 != 0) {
            throw new IllegalArgumentException("QLinearConcat takes Y_scale, Y_zero_point and triples (X, X_scale, "
                    + "X_zero_point); got " + inputs.size() + " inputs");
        }
        List<ValueInfo> xs = new ArrayList<>();
        ValueInfo first = OpChecks.require(inputs, 2, "X_0");
        QuantizationInputs.require8Bit(first, "X_0");
        QLinearConv.checkPair(inputs, 0, 1, "Y_scale", "Y_zero_point", first.type(), 0);
        for (int i = 2; i < inputs.size(); i += 3) {
            int idx = (i - 2) / 3;
            ValueInfo x = OpChecks.require(inputs, i, "X_" + idx);
            if (x.type() != first.type()) {
                throw new IllegalArgumentException("X_" + idx + " is " + x.type() + " but X_0 is " + first.type());
            }
            QLinearConv.checkPair(inputs, i + 1, i + 2, "X_" + idx + "_scale", "X_" + idx + "_zero_point", x.type(), 0);
            xs.add(ValueInfo.of(x.shape()));
        }
        Shape out = new Concat(axis).inferOutputs(xs).get(0).shape();
        return List.of(ValueInfo.of(first.type(), out));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor y = outputs[0];
        float sy = QuantizationInputs.scalar(inputs[0], "Y_scale");
        int zy = QuantizationInputs.scalarZero(inputs[1], "Y_zero_point");
        int qmin = AffineQuantization.typeMin(y.type());
        int qmax = AffineQuantization.typeMax(y.type());
        Shape ys = y.shape();
        int a = ys.normalizeAxis(axis);
        int outer = ys.sizeBetween(0, a);
        int yInner = ys.sizeBetween(a, ys.rank());
        int done = 0;
        for (int i = 2; i < inputs.length; i += 3) {
            Tensor x = inputs[i];
            float sx = QuantizationInputs.scalar(inputs[i + 1], "X_scale");
            int zx = QuantizationInputs.scalarZero(inputs[i + 2], "X_zero_point");
            boolean identity = sx == sy && zx == zy;
            FixedPointMultiplier m = identity ? null : FixedPointMultiplier.of((double) sx / sy);
            int xInner = x.shape().sizeBetween(a, x.rank());
            for (int o = 0; o < outer; o++) {
                QuantizedElementwise.rescale(x.byteData(), x.offset() + o * xInner, x.type() == DataType.INT8, zx,
                        y.byteData(), y.offset() + o * yInner + done, zy, qmin, qmax, xInner, m, identity);
            }
            done += xInner;
        }
    }

    @Override
    public boolean isTrainableInput(int index) {
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QLinearConcat c && c.axis == axis;
    }

    @Override
    public int hashCode() {
        return QLinearConcat.class.hashCode() * 31 + axis;
    }

    @Override
    public String toString() {
        return "QLinearConcat" + attributes();
    }
}
