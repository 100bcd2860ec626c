package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Pads (or, with negative amounts, crops) every axis. Inputs: {@code data}; {@code pads}, int64
 * {@code [x1_begin, x2_begin, ..., x1_end, x2_end, ...]}; optional {@code constant_value}, a
 * scalar of data's type (default 0); optional {@code axes} (opset 18), the axes {@code pads}
 * refers to (the others are not padded). pads and axes must be known when planning.
 * <pre>
 *   out[i] = begin[i] + in[i] + end[i]
 *   out(o) = in(s(o)),   s_i(o_i) = o_i - begin[i], brought back inside [0, in[i]) by the mode:
 *     constant:  out of range -&gt; constant_value
 *     edge:      clamp to the nearest edge            (PyTorch's ReplicationPad)
 *     reflect:   mirror about the edge, edge not repeated: ..., 2, 1 | 0, 1, 2, ... (ReflectionPad)
 * </pre>
 * A negative amount removes elements from that side; padding and cropping combine as padding by
 * the positive amounts and then cropping, with reflections taken from the original input (ONNX's
 * reference implementation). Reflecting further than the input is wide continues the mirror
 * periodically, as numpy does. Any element type.
 *
 * <p>Backward (FLOAT): every output element is a copy of one input element or of the constant,
 * so the gradient flows back along the same map {@code s}:
 * <pre>
 *   dL/din(k)         = sum over outputs o with s(o) = k of dL/dout(o)
 *   dL/dconstant_value = sum over outputs o in the constant border of dL/dout(o)
 * </pre>
 * For constant padding each input element has at most one such output (none when cropped away);
 * edge and reflect padding read border elements several times, and their gradients add up.
 * {@code pads}, {@code constant_value} and {@code axes} are settings, not trainable parameters.
 */
public final class Pad implements Op {

    /** How the values outside the input are chosen. */
    public enum Mode {
        CONSTANT, REFLECT, EDGE;

        String onnxName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Mode mode;

    public Pad(Mode mode) {
        this.mode = mode;
    }

    /** Constant padding (zeros unless a constant_value input is given). */
    public Pad() {
        this(Mode.CONSTANT);
    }

    public static Pad fromOnnx(Attributes attributes) {
        attributes.requireOnly("Pad", "mode");
        String m = attributes.getString("mode", "constant");
        for (Mode mode : Mode.values()) {
            if (mode.onnxName().equals(m)) {
                return new Pad(mode);
            }
        }
        throw new IllegalArgumentException("Pad mode '" + m + "' is not supported "
                + "(supported: constant, reflect, edge)");
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public String opType() {
        return "Pad";
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("mode", mode.onnxName()).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 4);
        ValueInfo data = OpChecks.require(inputs, 0, "data");
        ValueInfo pads = OpChecks.requireConstant(inputs, 1, "pads");
        OpChecks.requireType(pads, DataType.INT64, "pads");
        ValueInfo value = OpChecks.optional(inputs, 2);
        if (value != null) {
            if (value.type() != data.type()) {
                throw new IllegalArgumentException("constant_value must have data's type " + data.type() + ", found "
                        + value.type());
            }
            if (value.shape().size() != 1) {
                throw new IllegalArgumentException("constant_value must be a scalar, found shape " + value.shape());
            }
        }
        ValueInfo axes = OpChecks.optional(inputs, 3);
        if (axes != null) {
            axes = OpChecks.requireConstant(inputs, 3, "axes");
            if (axes.type() != DataType.INT64 && axes.type() != DataType.INT32) {
                throw new IllegalArgumentException("axes must be INT64 or INT32, found " + axes.type());
            }
        }
        Shape in = data.shape();
        int[] amounts = amounts(in.rank(), pads.constant(), axes == null ? null : axes.constant());
        int[] dims = new int[in.rank()];
        for (int i = 0; i < dims.length; i++) {
            long d = (long) amounts[i] + in.dim(i) + amounts[i + dims.length];
            if (d < 0) {
                throw new IllegalArgumentException("pads " + Arrays.toString(pads.constant().toLongArray())
                        + " crop axis " + i + " of " + in + " below zero elements");
            }
            if (mode != Mode.CONSTANT && in.dim(i) == 0 && d > 0) {
                throw new IllegalArgumentException(mode.onnxName() + " padding needs a non-empty input along axis " + i
                        + ", found " + in);
            }
            dims[i] = Math.toIntExact(d);
        }
        return List.of(ValueInfo.of(data.type(), Shape.of(dims)));
    }

    /**
     * The begin amounts of every axis followed by the end amounts, from the pads input and the
     * optional axes input.
     */
    static int[] amounts(int rank, Tensor pads, Tensor axes) {
        long[] p = pads.toLongArray();
        long[] a = axes == null ? null : axes.toLongArray();
        int k = a == null ? rank : a.length;
        if (pads.rank() != 1 || p.length != 2 * k) {
            throw new IllegalArgumentException("pads must be a vector of 2 * " + k + " = " + (2 * k)
                    + " amounts (all begins, then all ends" + (a == null ? " of a rank-" + rank + " input"
                    : " of axes " + Arrays.toString(a)) + "), found shape " + pads.shape());
        }
        int[] r = new int[2 * rank];
        boolean[] seen = new boolean[rank];
        for (int j = 0; j < k; j++) {
            int axis = j;
            if (a != null) {
                if (a[j] < -rank || a[j] >= rank) {
                    throw new IllegalArgumentException("axes " + Arrays.toString(a) + " has " + a[j]
                            + ", out of range for rank " + rank);
                }
                axis = (int) (a[j] < 0 ? a[j] + rank : a[j]);
                if (seen[axis]) {
                    throw new IllegalArgumentException("axes " + Arrays.toString(a) + " name axis " + axis + " twice");
                }
                seen[axis] = true;
            }
            r[axis] = Math.toIntExact(p[j]);
            r[axis + rank] = Math.toIntExact(p[j + k]);
        }
        return r;
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        Tensor valueTensor = inputs.length > 2 ? inputs[2] : null;
        int[] amounts = resolvedAmounts(inputs, ctx);
        Shape in = x.shape();
        Shape out = y.shape();
        int r = in.rank();
        if (y.size() == 0) {
            return;
        }
        if (r == 0) {
            ElementCopy.copy(x, 0, y, 0, 1);
            return;
        }
        double value = valueTensor == null ? 0 : ElementCopy.scalarValue(valueTensor, "constant_value");
        int width = out.dim(r - 1);
        int inWidth = in.dim(r - 1);
        int b = amounts[r - 1];
        int rows = y.size() / width;
        // The run of a row that copies the input's row unchanged: o in [lo, hi).
        int lo = Math.min(width, Math.max(0, b));
        int hi = Math.max(lo, Math.min(width, b + inWidth));
        for (int row = 0; row < rows; row++) {
            int dst = row * width;
            int srcRow = sourceRow(row, in, out, amounts);
            if (srcRow < 0) {
                ElementCopy.fill(y, dst, width, value);
                continue;
            }
            int src = srcRow * inWidth;
            for (int o = 0; o < lo; o++) {
                border(x, src, source(o - b, inWidth), y, dst + o, value);
            }
            if (hi > lo) {
                ElementCopy.copy(x, src + lo - b, y, dst + lo, hi - lo);
            }
            for (int o = hi; o < width; o++) {
                border(x, src, source(o - b, inWidth), y, dst + o, value);
            }
        }
    }

    /**
     * Adds {@code dY} into {@code dX} along the forward's map, and the border's sum into the
     * gradient of {@code constant_value} when one is requested.
     */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        Tensor dValue = inputGrads.length > 2 ? inputGrads[2] : null;
        if (dy == null || x.type() != DataType.FLOAT || (dx == null && dValue == null) || dy.size() == 0) {
            return;
        }
        int[] amounts = resolvedAmounts(inputs, ctx);
        Shape in = x.shape();
        Shape out = dy.shape();
        int r = in.rank();
        if (r == 0) {
            if (dx != null) {
                ElementCopy.accumulate(dy, 0, dx, 0, 1);
            }
            return;
        }
        float[] g = dy.data();
        int width = out.dim(r - 1);
        int inWidth = in.dim(r - 1);
        int b = amounts[r - 1];
        int rows = dy.size() / width;
        double border = 0;
        for (int row = 0; row < rows; row++) {
            int at = dy.offset() + row * width;
            int srcRow = sourceRow(row, in, out, amounts);
            for (int o = 0; o < width; o++) {
                int i = srcRow < 0 ? -1 : source(o - b, inWidth);
                if (i < 0) {
                    border += g[at + o];
                } else if (dx != null) {
                    dx.data()[dx.offset() + srcRow * inWidth + i] += g[at + o];
                }
            }
        }
        if (dValue != null) {
            dValue.data()[dValue.offset()] += (float) border;
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /** Only {@code data} is trainable; {@code pads}, {@code constant_value} and {@code axes} are settings. */
    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    /** The begin and end amounts of this run's pads and axes inputs, resolved once per node. */
    private static int[] resolvedAmounts(Tensor[] inputs, ExecutionContext ctx) {
        Tensor axes = inputs.length > 3 ? inputs[3] : null;
        int rank = inputs[0].rank();
        if (ctx.state() instanceof PadState st && st.fits(inputs[1], axes, rank)) {
            return st.amounts;
        }
        int[] amounts = amounts(rank, inputs[1], axes);
        ctx.setState(new PadState(inputs[1], axes, amounts));
        return amounts;
    }

    /**
     * The input's flat row (over all axes but the last) that output row {@code row} reads, or -1
     * when the row lies in a constant border.
     */
    private int sourceRow(int row, Shape in, Shape out, int[] begin) {
        int r = in.rank();
        int src = 0;
        int scale = 1;
        int rest = row;
        for (int j = r - 2; j >= 0; j--) {
            int o = rest % out.dim(j);
            rest /= out.dim(j);
            int i = source(o - begin[j], in.dim(j));
            if (i < 0) {
                return -1;
            }
            src += i * scale;
            scale *= in.dim(j);
        }
        return src;
    }

    private static void border(Tensor x, int srcRow, int i, Tensor y, int dst, double value) {
        if (i < 0) {
            ElementCopy.fill(y, dst, 1, value);
        } else {
            ElementCopy.copy(x, srcRow + i, y, dst, 1);
        }
    }

    /** The input index that position {@code i} (possibly outside {@code [0, size)}) reads, or -1 for the constant. */
    int source(int i, int size) {
        if (i >= 0 && i < size) {
            return i;
        }
        return switch (mode) {
            case CONSTANT -> -1;
            case EDGE -> i < 0 ? 0 : size - 1;
            case REFLECT -> {
                if (size == 1) {
                    yield 0;
                }
                int period = 2 * (size - 1);
                int m = Math.floorMod(i, period);
                yield m < size ? m : period - m;
            }
        };
    }

    /** The resolved amounts for one pads/axes pair, kept per node so that a run does not recompute them. */
    private record PadState(Tensor pads, Tensor axes, int[] amounts) {
        boolean fits(Tensor p, Tensor a, int rank) {
            return pads == p && axes == a && amounts.length == 2 * rank;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pad other && other.mode == mode;
    }

    @Override
    public int hashCode() {
        return 31 * Pad.class.hashCode() + mode.hashCode();
    }

    @Override
    public String toString() {
        return "Pad(mode=" + mode.onnxName() + ")";
    }
}
