package dev.minnow.engine.op;

import dev.minnow.engine.kernel.PoolKernels;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Average pooling over 1, 2 or 3 spatial axes: each output is the mean of the inputs its window
 * covers.
 * <pre>
 *   Y[n, c, o] = (1 / count) * sum over kernel offsets j inside the input of X[n, c, o*stride - pad_begin + j]
 *   o_i = floor((D_i + pad_begin_i + pad_end_i - k_i) / stride_i) + 1   (ceil with ceil_mode)
 * </pre>
 * With {@code count_include_pad = 0} (the default) {@code count} is the number of input elements
 * in the window, so the padding does not dilute border outputs; with {@code count_include_pad = 1}
 * the zeros of the padding count too ({@code count} = the window clipped to the padded input, as in
 * PyTorch: a ceil-mode window hanging past the end padding is not charged for the overhang).
 * Geometry (strides, pads, auto_pad, ceil_mode) follows {@link SlidingWindow}; {@code dilations} is
 * an opset-19 attribute and is refused.
 *
 * <p><b>Backward.</b> Each output is linear in its window: every input position inside the window
 * receives {@code dL/dY / count} with the forward pass's {@code count}, summed over the windows that
 * overlap it (padding positions, which are not inputs, receive nothing).
 */
public final class AveragePool implements Op {
    private final SlidingWindow window;
    private final boolean countIncludePad;

    /**
     * @param window          kernel (required), strides, pads, auto_pad, ceil_mode; no dilations
     * @param countIncludePad whether padding zeros count in the divisor
     */
    public AveragePool(SlidingWindow window, boolean countIncludePad) {
        this.window = Objects.requireNonNull(window, "window");
        if (!window.hasKernel()) {
            throw new IllegalArgumentException("AveragePool needs kernel_shape");
        }
        if (window.hasDilations()) {
            throw new IllegalArgumentException("AveragePool dilations (opset 19) are not supported");
        }
        this.countIncludePad = countIncludePad;
    }

    /** A square 2-D average pooling that does not count padding. */
    public static AveragePool of2d(int kernel, int stride, int pad) {
        return new AveragePool(SlidingWindow.of2d(kernel, stride, pad), false);
    }

    public static AveragePool fromOnnx(Attributes a) {
        if (a.has("dilations")) {
            throw new IllegalArgumentException("AveragePool dilations (opset 19) are not supported");
        }
        a.requireOnly("AveragePool", "auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides");
        return new AveragePool(SlidingWindow.fromOnnx(a), a.getLong("count_include_pad", 0) != 0);
    }

    public SlidingWindow window() {
        return window;
    }

    public boolean countIncludePad() {
        return countIncludePad;
    }

    @Override
    public String opType() {
        return "AveragePool";
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        window.exportTo(b);
        if (window.ceilMode()) {
            b.set("ceil_mode", 1L);
        }
        if (countIncludePad) {
            b.set("count_include_pad", 1L);
        }
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "X");
        OpChecks.requireType(x, DataType.FLOAT, "X");
        Shape y = window.resolve(x.shape(), null).outputShape(x.shape().dim(1));
        return List.of(ValueInfo.of(y));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        WindowGeometry g = window.geometry(x.shape(), null, ctx);
        PoolKernels.averagePoolNaive(x.data(), x.offset(), y.data(), y.offset(), x.shape().dim(0) * x.shape().dim(1),
                g.in, g.out, g.kernel, g.strides, g.padBegin, g.padEnd, countIncludePad);
    }

    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        WindowGeometry g = window.geometry(x.shape(), null, ctx);
        PoolKernels.averagePoolBackward(dy.data(), dy.offset(), dx.data(), dx.offset(),
                x.shape().dim(0) * x.shape().dim(1), g.in, g.out, g.kernel, g.strides, g.padBegin, g.padEnd,
                countIncludePad);
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AveragePool p && p.countIncludePad == countIncludePad && p.window.equals(window);
    }

    @Override
    public int hashCode() {
        return Objects.hash(window, countIncludePad);
    }

    @Override
    public String toString() {
        return "AveragePool" + attributes();
    }
}
