package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * The mean over some axes: for {@code X} of rank r and the set {@code A} of reduced axes
 * ({@code axes} attribute, negative values counting from the end; absent or empty: all axes),
 * <pre>
 *   Y[k] = (1 / M) * sum over the positions i of X that agree with k on every kept axis of X[i],
 *   M    = product of d_a over a in A
 * </pre>
 * With {@code keepdims = 1} (the default) each reduced axis stays with size 1, otherwise it is
 * removed. PyTorch exports {@code x.mean([2, 3])}, ShuffleNet V2's global pooling, as
 * {@code ReduceMean(axes=[2, 3], keepdims=0)}: a {@link GlobalAveragePool} and a flatten in one.
 * Opset 13's form (opset 18 moved {@code axes} to an input). Sums are taken in double.
 *
 * <p>Backward: every reduced element shares its mean's gradient equally,
 * {@code dL/dX[i] = dL/dY[k(i)] / M}.
 */
public final class ReduceMean implements Op {
    private final int[] axes;
    private final boolean keepDims;

    /**
     * @param axes     the axes to reduce (negative ones count from the end); empty for all
     * @param keepDims keep each reduced axis with size 1
     */
    public ReduceMean(int[] axes, boolean keepDims) {
        this.axes = axes.clone();
        this.keepDims = keepDims;
    }

    public static ReduceMean fromOnnx(Attributes attributes) {
        attributes.requireOnly("ReduceMean", "axes", "keepdims");
        long keep = attributes.getLong("keepdims", 1);
        if (keep != 0 && keep != 1) {
            throw new IllegalArgumentException("ReduceMean: keepdims must be 0 or 1, got " + keep);
        }
        return new ReduceMean(attributes.getInts("axes", new int[0]), keep == 1);
    }

    public int[] axes() {
        return axes.clone();
    }

    public boolean keepDims() {
        return keepDims;
    }

    @Override
    public String opType() {
        return "ReduceMean";
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        if (axes.length > 0) {
            b.set("axes", axes);
        }
        if (!keepDims) {
            b.set("keepdims", 0L);
        }
        return b.build();
    }

    /**
     * The walk over one input shape: the kept axes (sizes and input strides), in order, then the
     * reduced ones, and {@code count} = M, the number of elements each mean takes.
     */
    private record Geometry(Shape input, int[] keptDims, int[] keptStrides, int[] reducedDims, int[] reducedStrides,
                            int count) {
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "data");
        OpChecks.requireType(x, DataType.FLOAT, "data");
        boolean[] reduced = reducedAxes(x.shape());
        int r = x.shape().rank();
        int[] out = new int[r];
        int n = 0;
        for (int a = 0; a < r; a++) {
            if (!reduced[a]) {
                out[n++] = x.shape().dim(a);
            } else if (keepDims) {
                out[n++] = 1;
            }
        }
        return List.of(ValueInfo.of(Shape.of(Arrays.copyOf(out, n))));
    }

    private boolean[] reducedAxes(Shape s) {
        int r = s.rank();
        boolean[] reduced = new boolean[r];
        if (axes.length == 0) {
            Arrays.fill(reduced, true);
            return reduced;
        }
        for (int axis : axes) {
            if (axis < -r || axis >= r) {
                throw new IllegalArgumentException("axis " + axis + " is out of range for data of rank " + r + " " + s
                        + " (must be in [" + (-r) + ", " + (r - 1) + "])");
            }
            int a = axis < 0 ? axis + r : axis;
            if (reduced[a]) {
                throw new IllegalArgumentException("axis " + a + " is listed twice in axes " + Arrays.toString(axes));
            }
            reduced[a] = true;
        }
        return reduced;
    }

    private Geometry geometry(Shape s, ExecutionContext ctx) {
        if (ctx.state() instanceof Geometry g && g.input().equals(s)) {
            return g;
        }
        boolean[] reduced = reducedAxes(s);
        int[] strides = s.strides();
        int kept = 0;
        for (boolean b : reduced) {
            kept += b ? 0 : 1;
        }
        int r = s.rank();
        int[] keptDims = new int[kept];
        int[] keptStrides = new int[kept];
        int[] reducedDims = new int[r - kept];
        int[] reducedStrides = new int[r - kept];
        int k = 0;
        int m = 0;
        int count = 1;
        for (int a = 0; a < r; a++) {
            if (reduced[a]) {
                reducedDims[m] = s.dim(a);
                reducedStrides[m++] = strides[a];
                count *= s.dim(a);
            } else {
                keptDims[k] = s.dim(a);
                keptStrides[k++] = strides[a];
            }
        }
        Geometry g = new Geometry(s, keptDims, keptStrides, reducedDims, reducedStrides, count);
        ctx.setState(g);
        return g;
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        Geometry g = geometry(x.shape(), ctx);
        float[] xd = x.data();
        float[] yd = y.data();
        for (int o = 0; o < y.size(); o++) {
            int base = x.offset() + keptOffset(g, o);
            double sum = 0;
            for (int i = 0; i < g.count(); i++) {
                sum += xd[base + reducedOffset(g, i)];
            }
            yd[y.offset() + o] = g.count() == 0 ? Float.NaN : (float) (sum / g.count());
        }
    }

    /** {@code dX[i] += dY[k(i)] / M}. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        Geometry g = geometry(inputs[0].shape(), ctx);
        float[] dxd = dx.data();
        float[] dyd = dy.data();
        for (int o = 0; o < dy.size(); o++) {
            int base = dx.offset() + keptOffset(g, o);
            float share = dyd[dy.offset() + o] / g.count();
            for (int i = 0; i < g.count(); i++) {
                dxd[base + reducedOffset(g, i)] += share;
            }
        }
    }

    /** The input offset of output element {@code o} (row-major over the kept axes). */
    private static int keptOffset(Geometry g, int o) {
        int offset = 0;
        for (int a = g.keptDims().length - 1; a >= 0; a--) {
            offset += (o % g.keptDims()[a]) * g.keptStrides()[a];
            o /= g.keptDims()[a];
        }
        return offset;
    }

    /** The offset, from an output element's base, of its {@code i}-th reduced element (row-major). */
    private static int reducedOffset(Geometry g, int i) {
        int offset = 0;
        for (int a = g.reducedDims().length - 1; a >= 0; a--) {
            offset += (i % g.reducedDims()[a]) * g.reducedStrides()[a];
            i /= g.reducedDims()[a];
        }
        return offset;
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReduceMean other && Arrays.equals(other.axes, axes) && other.keepDims == keepDims;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(axes) + (keepDims ? 1 : 0);
    }

    @Override
    public String toString() {
        return "ReduceMean(axes=" + Arrays.toString(axes) + ", keepdims=" + (keepDims ? 1 : 0) + ")";
    }
}
