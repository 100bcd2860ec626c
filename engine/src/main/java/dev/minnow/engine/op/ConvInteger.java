package dev.minnow.engine.op;

import dev.minnow.engine.kernel.QuantizedConv;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Integer convolution with zero points and an int32 result (ONNX ConvInteger):
 * <pre>
 *   y[n, oc, o] = sum over ic', taps of (w[oc, ic', t] - w_zero_point[oc]) * (x[n, ic, o*s - p + t*d] - x_zero_point)
 * </pre>
 * with {@link Conv}'s geometry; padded positions hold {@code x_zero_point} (real 0), so they add
 * nothing. x and w are uint8 or int8; {@code w_zero_point} is a scalar or one per output channel.
 * The caller rescales the int32 result. Runs the reference loops of
 * {@link QuantizedConv#convolutionNaive}; {@link QLinearConv} is the fast, requantized form.
 */
public final class ConvInteger implements Op {
    private final SlidingWindow window;
    private final int group;

    public ConvInteger(SlidingWindow window, int group) {
        this.window = Objects.requireNonNull(window, "window");
        if (group < 1) {
            throw new IllegalArgumentException("group must be >= 1, found " + group);
        }
        this.group = group;
    }

    public static ConvInteger fromOnnx(Attributes a) {
        a.requireOnly("ConvInteger", "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
        return new ConvInteger(SlidingWindow.fromOnnx(a), a.getInt("group", 1));
    }

    @Override
    public String opType() {
        return "ConvInteger";
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        window.exportConvolutionTo(b, group);
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 4);
        ValueInfo x = OpChecks.require(inputs, 0, "x");
        ValueInfo w = OpChecks.require(inputs, 1, "w");
        QuantizationInputs.require8Bit(x, "x");
        QuantizationInputs.require8Bit(w, "w");
        Shape ys = new Conv(window, group).inferOutputs(List.of(ValueInfo.of(x.shape()), ValueInfo.of(w.shape())))
                .get(0).shape();
        MatMulInteger.checkZero(OpChecks.optional(inputs, 2), x.type(), 1, "x_zero_point");
        MatMulInteger.checkZero(OpChecks.optional(inputs, 3), w.type(), w.shape().dim(0), "w_zero_point");
        return List.of(ValueInfo.of(DataType.INT32, ys));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        Tensor y = outputs[0];
        WindowGeometry g = window.geometry(x.shape(), w.shape(), ctx);
        int zx = QuantizationInputs.scalarZero(QuantizationInputs.input(inputs, 2), "x_zero_point");
        int[] zw = QuantizationInputs.zeros(QuantizationInputs.input(inputs, 3), 1);
        QuantizedConv.convolutionNaive(x.byteData(), x.offset(), x.type() == DataType.INT8, zx, w.byteData(),
                w.offset(), w.type() == DataType.INT8, zw, y.intData(), y.offset(), x.shape().dim(0),
                x.shape().dim(1), w.shape().dim(0), group, g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        Shape ws = inputs.get(1).shape();
        return (long) outputs.get(0).shape().size() * ws.sizeBetween(1, ws.rank());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvInteger c && c.group == group && c.window.equals(window);
    }

    @Override
    public int hashCode() {
        return Objects.hash(window, group, "ConvInteger");
    }

    @Override
    public String toString() {
        return "ConvInteger" + attributes();
    }
}
