package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ElementwiseKernels;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Clamps every element into {@code [min, max]}:
 * <pre>
 *   y = min(max(x, lo), hi)      lo = input 1 (absent: -inf), hi = input 2 (absent: +inf)
 * </pre>
 * With {@code lo = 0, hi = 6} this is ReLU6, the activation of MobileNet (Howard et al. 2017;
 * Sandler et al. 2018), chosen because its bounded range survives low-precision arithmetic.
 * When {@code lo > hi} every element becomes {@code hi} (numpy's {@code clip} order of
 * operations, which ONNX follows). NaN stays NaN.
 *
 * <p>Opset 11+ form: the bounds are optional one-element inputs of X's type (the ONNX reader
 * turns opset 6's {@code min}/{@code max} attributes into inputs). FLOAT, INT64, INT32, INT8 and
 * UINT8 are supported.
 *
 * <p>Backward (FLOAT): the clamp passes the gradient where it passes the value and blocks it where
 * it replaced the value by a bound:
 * <pre>
 *   dL/dx = dL/dy   if lo &lt;= x &lt;= hi
 *   dL/dx = 0       otherwise (x clipped, or NaN)
 * </pre>
 * with both ends included, as PyTorch's {@code clamp} does. The bounds are settings, not
 * parameters ({@link #isTrainableInput}): no gradient flows into them.
 */
public final class Clip implements Op {

    public static Clip fromOnnx(Attributes attributes) {
        attributes.requireOnly("Clip");
        return new Clip();
    }

    @Override
    public String opType() {
        return "Clip";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 1, 3);
        ValueInfo x = OpChecks.require(inputs, 0, "input");
        if (x.type() == DataType.BOOL) {
            throw new IllegalArgumentException("input must be a number type, found BOOL");
        }
        checkBound(x, OpChecks.optional(inputs, 1), "min");
        checkBound(x, OpChecks.optional(inputs, 2), "max");
        return List.of(ValueInfo.of(x.type(), x.shape()));
    }

    private static void checkBound(ValueInfo x, ValueInfo bound, String name) {
        if (bound == null) {
            return;
        }
        if (bound.type() != x.type()) {
            throw new IllegalArgumentException(name + " must have the input's type " + x.type() + ", found "
                    + bound.type());
        }
        if (bound.shape().size() != 1) {
            throw new IllegalArgumentException(name + " must be a scalar, found shape " + bound.shape());
        }
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor lo = inputs.length > 1 ? inputs[1] : null;
        Tensor hi = inputs.length > 2 ? inputs[2] : null;
        Tensor y = outputs[0];
        int n = x.size();
        int xo = x.offset();
        int yo = y.offset();
        if (x.type() == DataType.FLOAT) {
            float min = lo == null ? Float.NEGATIVE_INFINITY : lo.data()[lo.offset()];
            float max = hi == null ? Float.POSITIVE_INFINITY : hi.data()[hi.offset()];
            ElementwiseKernels.clamp(x.data(), xo, y.data(), yo, n, min, max, ctx.threads());
            return;
        }
        long min = integerBound(lo, Long.MIN_VALUE);
        long max = integerBound(hi, Long.MAX_VALUE);
        switch (x.type()) {
            case INT64 -> {
                long[] xd = x.longData();
                long[] yd = y.longData();
                for (int i = 0; i < n; i++) {
                    yd[yo + i] = Math.min(Math.max(xd[xo + i], min), max);
                }
            }
            case INT32 -> {
                int[] xd = x.intData();
                int[] yd = y.intData();
                for (int i = 0; i < n; i++) {
                    yd[yo + i] = (int) Math.min(Math.max(xd[xo + i], min), max);
                }
            }
            case INT8, UINT8 -> {
                int mask = x.type() == DataType.UINT8 ? 0xFF : -1;
                byte[] xd = x.byteData();
                byte[] yd = y.byteData();
                for (int i = 0; i < n; i++) {
                    yd[yo + i] = (byte) Math.min(Math.max(xd[xo + i] & mask, min), max);
                }
            }
            default -> throw new IllegalArgumentException("Clip does not support " + x.type());
        }
    }

    /** {@code dX += dY} where {@code min <= X <= max}; integer inputs have no gradient. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null || x.type() != DataType.FLOAT) {
            return;
        }
        Tensor lo = inputs.length > 1 ? inputs[1] : null;
        Tensor hi = inputs.length > 2 ? inputs[2] : null;
        float min = lo == null ? Float.NEGATIVE_INFINITY : lo.data()[lo.offset()];
        float max = hi == null ? Float.POSITIVE_INFINITY : hi.data()[hi.offset()];
        ElementwiseKernels.clampGradient(x.data(), x.offset(), dy.data(), dy.offset(), dx.data(), dx.offset(),
                x.size(), min, max, ctx.threads());
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /** Only the input is trainable; {@code min} and {@code max} are settings. */
    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    /** A one-element integer bound read exactly, or {@code absent}. */
    private static long integerBound(Tensor t, long absent) {
        if (t == null) {
            return absent;
        }
        int i = t.offset();
        return switch (t.type()) {
            case INT64 -> t.longData()[i];
            case INT32 -> t.intData()[i];
            case UINT8 -> t.byteData()[i] & 0xFF;
            default -> t.byteData()[i];
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Clip;
    }

    @Override
    public int hashCode() {
        return Clip.class.hashCode();
    }

    @Override
    public String toString() {
        return "Clip";
    }
}
