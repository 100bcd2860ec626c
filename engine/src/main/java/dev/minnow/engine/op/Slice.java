package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A strided sub-tensor, numpy's {@code data[start:end:step, ...]} along chosen axes. Inputs:
 * {@code data} (any type), then int64 or int32 vectors {@code starts}, {@code ends}, optional
 * {@code axes} (default {@code [0, 1, ..., len(starts) - 1]}) and optional {@code steps} (default
 * all 1), of equal length; they must be known when planning. For each listed axis {@code a} of
 * size {@code d} (the others are kept whole):
 * <pre>
 *   a        += r                         if a &lt; 0     (r = rank(data); axes may not repeat)
 *   start    += d, end += d               where negative
 *   step > 0:  start clamped to [0, d],     end clamped to [0, d]
 *   step &lt; 0:  start clamped to [0, d - 1], end clamped to [-1, d - 1]      (step 0 is an error)
 *   out size  = max(0, ceil((end - start) / step))
 *   out[.., j, ..] = data[.., start + j * step, ..]
 * </pre>
 * So {@code starts = [1], ends = [INT64_MAX]} drops the first element, and {@code starts = [-1],
 * ends = [INT64_MIN], steps = [-1]} reverses an axis. This is opset 13's form (opsets 1 to 9 gave
 * starts, ends and axes as attributes; the ONNX reader converts them). PyTorch exports
 * {@code x.chunk(2, dim=1)} with a dynamic batch as Slices whose bounds are computed from
 * {@code Shape} (ShuffleNet V2's channel split); the planner folds those bounds into constants.
 *
 * <p>Backward (FLOAT data): each output element's gradient is added to the input element it was
 * copied from, {@code dL/ddata[.., start + j * step, ..] += dL/dout[.., j, ..]}; the other input
 * elements get nothing.
 */
public final class Slice implements Op {

    public Slice() {
    }

    public static Slice fromOnnx(Attributes attributes) {
        attributes.requireOnly("Slice");
        return new Slice();
    }

    @Override
    public String opType() {
        return "Slice";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    /**
     * Where the output starts in the input and how it walks, per axis of the input; {@code index}
     * is the walk's counter, reused from run to run (a plan runs one thread at a time).
     */
    private record Geometry(Shape input, int[] start, int[] step, int[] outDims, int[] index) {
        boolean fits(Shape s) {
            return input.equals(s);
        }
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 3, 5);
        ValueInfo data = OpChecks.require(inputs, 0, "data");
        long[][] spec = new long[4][];
        String[] names = {"starts", "ends", "axes", "steps"};
        for (int i = 0; i < 4; i++) {
            ValueInfo v = i < 2 ? OpChecks.requireConstant(inputs, i + 1, names[i]) : OpChecks.optional(inputs, i + 1);
            if (v == null) {
                continue;
            }
            if (!v.isConstant()) {
                OpChecks.requireConstant(inputs, i + 1, names[i]);
            }
            if (v.type() != DataType.INT64 && v.type() != DataType.INT32) {
                throw new IllegalArgumentException(names[i] + " must be INT64 or INT32, found " + v.type());
            }
            OpChecks.requireRank(v, 1, names[i]);
            spec[i] = v.constant().toLongArray();
        }
        Geometry g = geometry(data.shape(), spec[0], spec[1], spec[2], spec[3]);
        return List.of(ValueInfo.of(data.type(), Shape.of(g.outDims())));
    }

    /**
     * The effective start, step and output size of every axis, by the rules of the class comment.
     *
     * @throws IllegalArgumentException for vectors of different lengths, an axis out of range or
     *         repeated, or a step of 0
     */
    private static Geometry geometry(Shape s, long[] starts, long[] ends, long[] axes, long[] steps) {
        int r = s.rank();
        int n = starts.length;
        if (ends.length != n || (axes != null && axes.length != n) || (steps != null && steps.length != n)) {
            throw new IllegalArgumentException("starts, ends, axes and steps must have the same length; found "
                    + Arrays.toString(starts) + ", " + Arrays.toString(ends) + ", "
                    + (axes == null ? "(no axes)" : Arrays.toString(axes)) + ", "
                    + (steps == null ? "(no steps)" : Arrays.toString(steps)));
        }
        int[] start = new int[r];
        int[] step = new int[r];
        int[] out = s.dims();
        Arrays.fill(step, 1);
        boolean[] seen = new boolean[r];
        for (int i = 0; i < n; i++) {
            long axis = axes == null ? i : axes[i];
            if (axis < -r || axis >= r) {
                throw new IllegalArgumentException("axis " + axis + " is out of range for data of rank " + r + " "
                        + s + " (must be in [" + (-r) + ", " + (r - 1) + "])");
            }
            int a = (int) (axis < 0 ? axis + r : axis);
            if (seen[a]) {
                throw new IllegalArgumentException("axis " + a + " is sliced twice (axes " + Arrays.toString(axes) + ")");
            }
            seen[a] = true;
            long st = steps == null ? 1 : steps[i];
            if (st == 0) {
                throw new IllegalArgumentException("steps must not be 0 (axis " + a + ")");
            }
            long d = s.dim(a);
            long b = starts[i] < 0 ? starts[i] + d : starts[i];
            long e = ends[i] < 0 ? ends[i] + d : ends[i];
            if (st > 0) {
                b = Math.max(0, Math.min(d, b));
                e = Math.max(0, Math.min(d, e));
            } else {
                b = Math.max(0, Math.min(d - 1, b));
                e = Math.max(-1, Math.min(d - 1, e));
            }
            long distance = st > 0 ? e - b : b - e;
            long size = distance <= 0 ? 0 : (distance - 1) / (st == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(st)) + 1;
            start[a] = (int) b;
            step[a] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, st));
            out[a] = (int) size;
        }
        return new Geometry(s, start, step, out, new int[r]);
    }

    private Geometry geometry(Tensor[] inputs, ExecutionContext ctx) {
        Shape s = inputs[0].shape();
        if (ctx.state() instanceof Geometry g && g.fits(s)) {
            return g;
        }
        Geometry g = geometry(s, inputs[1].toLongArray(), inputs[2].toLongArray(),
                inputs.length > 3 && inputs[3] != null ? inputs[3].toLongArray() : null,
                inputs.length > 4 && inputs[4] != null ? inputs[4].toLongArray() : null);
        ctx.setState(g);
        return g;
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        walk(geometry(inputs, ctx), inputs[0], outputs[0], false);
    }

    /** {@code dData[source of j] += dOut[j]}, for every output element {@code j}. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null || dx.type() != DataType.FLOAT) {
            return;
        }
        walk(geometry(inputs, ctx), dx, dy, true);
    }

    /**
     * Visits the output elements in row-major order with the input element each comes from:
     * copies {@code data -> out}, or with {@code accumulate} adds {@code out -> data} (the
     * gradients). A unit step along the last axis moves whole runs at once.
     */
    private static void walk(Geometry g, Tensor data, Tensor out, boolean accumulate) {
        int[] dims = g.outDims();
        int r = dims.length;
        if (out.size() == 0) {
            return;
        }
        if (r == 0) {
            transfer(data, 0, out, 0, 1, 1, accumulate);
            return;
        }
        int[] strides = g.input().strides();
        int last = r - 1;
        int run = dims[last];
        int rows = out.size() / run;
        int[] index = g.index();
        Arrays.fill(index, 0);
        for (int row = 0; row < rows; row++) {
            int from = g.start()[last] * strides[last];
            for (int a = 0; a < last; a++) {
                from += (g.start()[a] + index[a] * g.step()[a]) * strides[a];
            }
            transfer(data, from, out, row * run, run, g.step()[last], accumulate);
            for (int a = last - 1; a >= 0; a--) {
                if (++index[a] < dims[a]) {
                    break;
                }
                index[a] = 0;
            }
        }
    }

    /** {@code n} elements {@code data[from + k * step] -> out[to + k]} (or their gradients back). */
    private static void transfer(Tensor data, int from, Tensor out, int to, int n, int step, boolean accumulate) {
        if (accumulate) {
            float[] d = data.data();
            float[] o = out.data();
            for (int k = 0; k < n; k++) {
                d[data.offset() + from + k * step] += o[out.offset() + to + k];
            }
        } else if (step == 1) {
            ElementCopy.copy(data, from, out, to, n);
        } else {
            for (int k = 0; k < n; k++) {
                ElementCopy.copy(data, from + k * step, out, to + k, 1);
            }
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /** Only {@code data} is trainable; the bounds are settings. */
    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Slice;
    }

    @Override
    public int hashCode() {
        return Slice.class.hashCode();
    }

    @Override
    public String toString() {
        return "Slice";
    }
}
