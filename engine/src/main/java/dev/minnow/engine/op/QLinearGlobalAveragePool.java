package dev.minnow.engine.op;

import dev.minnow.engine.kernel.FixedPointMultiplier;
import dev.minnow.engine.kernel.QuantizedPooling;
import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Quantized global average pooling (Minnow's native QLinearGlobalAveragePool, the signature of
 * ONNX Runtime's {@code com.microsoft.QLinearGlobalAveragePool}): per channel,
 * <pre>
 *   y[n, c] = saturate(Zy + round(sum over all positions of (x[n, c, .] - Zx) * Sx / (Sy * H * W)))
 * </pre>
 * in int32 with one fixed-point multiplier. Output {@code [N, C, 1, ...]} of X's type. Inputs
 * {@code X, x_scale, x_zero_point, y_scale, y_zero_point}. Exported to ONNX as DequantizeLinear,
 * GlobalAveragePool, QuantizeLinear.
 */
public final class QLinearGlobalAveragePool implements Op {

    public static QLinearGlobalAveragePool fromOnnx(Attributes a) {
        if (a.getLong("channels_last", 0) != 0) {
            throw new IllegalArgumentException("QLinearGlobalAveragePool supports channels_last = 0 only");
        }
        a.requireOnly("QLinearGlobalAveragePool", "channels_last");
        return new QLinearGlobalAveragePool();
    }

    @Override
    public String opType() {
        return "QLinearGlobalAveragePool";
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
        OpChecks.requireCount(inputs, 5, 5);
        ValueInfo x = OpChecks.require(inputs, 0, "X");
        QuantizationInputs.require8Bit(x, "X");
        QLinearConv.checkPair(inputs, 1, 2, "x_scale", "x_zero_point", x.type(), 0);
        QLinearConv.checkPair(inputs, 3, 4, "y_scale", "y_zero_point", x.type(), 0);
        return List.of(ValueInfo.of(x.type(),
                new GlobalAveragePool().inferOutputs(List.of(ValueInfo.of(x.shape()))).get(0).shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        int planes = x.shape().dim(0) * x.shape().dim(1);
        int size = x.size() / Math.max(1, planes);
        float sx = QuantizationInputs.scalar(inputs[1], "x_scale");
        float sy = QuantizationInputs.scalar(inputs[3], "y_scale");
        if (!(ctx.state() instanceof Scales s) || s.sx != sx || s.sy != sy || s.size != size) {
            ctx.setState(new Scales(sx, sy, size, FixedPointMultiplier.of((double) sx / ((double) sy * size))));
        }
        QuantizedPooling.globalAveragePool(x.byteData(), x.offset(), x.type() == DataType.INT8,
                QuantizationInputs.scalarZero(inputs[2], "x_zero_point"), y.byteData(), y.offset(),
                QuantizationInputs.scalarZero(inputs[4], "y_zero_point"), AffineQuantization.typeMin(y.type()),
                AffineQuantization.typeMax(y.type()), planes, size, ((Scales) ctx.state()).m);
    }

    private record Scales(float sx, float sy, int size, FixedPointMultiplier m) {
    }

    @Override
    public boolean isTrainableInput(int index) {
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QLinearGlobalAveragePool;
    }

    @Override
    public int hashCode() {
        return QLinearGlobalAveragePool.class.hashCode();
    }

    @Override
    public String toString() {
        return "QLinearGlobalAveragePool";
    }
}
