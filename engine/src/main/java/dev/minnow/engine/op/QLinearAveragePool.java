package dev.minnow.engine.op;

import dev.minnow.engine.kernel.FixedPointMultiplier;
import dev.minnow.engine.kernel.QuantizedPooling;
import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Quantized average pooling (Minnow's native QLinearAveragePool, the signature of ONNX Runtime's
 * {@code com.microsoft.QLinearAveragePool}), {@link AveragePool}'s geometry in integers:
 * <pre>
 *   y = saturate(Zy + round(sum_window (x - Zx) * Sx / (Sy * count)))
 * </pre>
 * ({@link QuantizedPooling#averagePool}). Inputs {@code X, x_scale, x_zero_point, y_scale,
 * y_zero_point}; the output has X's type. Exported to ONNX as DequantizeLinear, AveragePool,
 * QuantizeLinear.
 */
public final class QLinearAveragePool implements Op {
    private final AveragePool pool;

    public QLinearAveragePool(SlidingWindow window, boolean countIncludePad) {
        this.pool = new AveragePool(window, countIncludePad);
    }

    public static QLinearAveragePool fromOnnx(Attributes a) {
        if (a.getLong("channels_last", 0) != 0) {
            throw new IllegalArgumentException("QLinearAveragePool supports channels_last = 0 only");
        }
        a.requireOnly("QLinearAveragePool", "auto_pad", "ceil_mode", "channels_last", "count_include_pad",
                "kernel_shape", "pads", "strides");
        return new QLinearAveragePool(SlidingWindow.fromOnnx(a), a.getLong("count_include_pad", 0) != 0);
    }

    /** The float pooling this quantizes. */
    public AveragePool pool() {
        return pool;
    }

    @Override
    public String opType() {
        return "QLinearAveragePool";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        return pool.attributes();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 5, 5);
        ValueInfo x = OpChecks.require(inputs, 0, "X");
        QuantizationInputs.require8Bit(x, "X");
        QLinearConv.checkPair(inputs, 1, 2, "x_scale", "x_zero_point", x.type(), 0);
        QLinearConv.checkPair(inputs, 3, 4, "y_scale", "y_zero_point", x.type(), 0);
        return List.of(ValueInfo.of(x.type(), pool.inferOutputs(List.of(ValueInfo.of(x.shape()))).get(0).shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        WindowGeometry g = pool.window().geometry(x.shape(), null, ctx);
        float sx = QuantizationInputs.scalar(inputs[1], "x_scale");
        float sy = QuantizationInputs.scalar(inputs[3], "y_scale");
        int taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
        if (!(g.opCache instanceof Counts c) || c.sx != sx || c.sy != sy) {
            g.opCache = new Counts(sx, sy, QuantizedPooling.countMultipliers(sx, sy, taps));
        }
        QuantizedPooling.averagePool(x.byteData(), x.offset(), x.type() == DataType.INT8,
                QuantizationInputs.scalarZero(inputs[2], "x_zero_point"), y.byteData(), y.offset(),
                QuantizationInputs.scalarZero(inputs[4], "y_zero_point"), AffineQuantization.typeMin(y.type()),
                AffineQuantization.typeMax(y.type()), x.shape().dim(0) * x.shape().dim(1), g.in, g.out, g.kernel,
                g.strides, g.padBegin, g.padEnd, pool.countIncludePad(), ((Counts) g.opCache).m);
    }

    /** The multipliers per window count, for one pair of scales. */
    private record Counts(float sx, float sy, FixedPointMultiplier[] m) {
    }

    @Override
    public boolean isTrainableInput(int index) {
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QLinearAveragePool q && q.pool.equals(pool);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pool, "QLinearAveragePool");
    }

    @Override
    public String toString() {
        return "QLinearAveragePool" + attributes();
    }
}
