package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * What {@link Softmax} and {@link LogSoftmax} share: which elements are normalised together.
 *
 * <p><b>Opset 13 (canonical).</b> One axis, default -1: for an input of shape
 * {@code [d_0, ..., d_{r-1}]} and axis {@code a}, the tensor is viewed as
 * {@code [outer, n, inner] = [d_0*...*d_{a-1}, d_a, d_{a+1}*...*d_{r-1}]} and each of the
 * {@code outer * inner} slices of {@code n} elements is normalised.
 *
 * <p><b>Opsets 1-12.</b> The input was first coerced to 2-D at the axis (default 1):
 * {@code [d_0*...*d_{a-1}, d_a*...*d_{r-1}]}, and every row normalised, i.e. all trailing axes
 * from {@code a} on together. The two agree when {@code a} is the last axis, or when the axes after
 * it have size 1 (a classifier's {@code [N, 1000, 1, 1]}); {@link #coercesTo2d()} tells which
 * semantics this op has, so that an exporter writing opset 13 can add the Flatten/Reshape pair the
 * old form implies.
 *
 * <p><b>Backward.</b> Each slice's gradient depends only on that slice's outputs and output
 * gradients (see {@link dev.minnow.engine.kernel.SoftmaxKernels} for the formulas), so the same
 * {@code [outer, n, inner]} view serves both directions and both semantics.
 */
public abstract sealed class SoftmaxAlongAxis implements Op permits Softmax, LogSoftmax {
    private final int axis;
    private final boolean coerceTo2d;

    SoftmaxAlongAxis(int axis, boolean coerceTo2d) {
        this.axis = axis;
        this.coerceTo2d = coerceTo2d;
    }

    /** The axis attribute of a node of this opset: default -1 from opset 13 on, 1 before. */
    static int axisFromOnnx(String opType, Attributes a, int opset) {
        a.requireOnly(opType, "axis");
        return a.getInt("axis", opset >= 13 ? -1 : 1);
    }

    public int axis() {
        return axis;
    }

    /** True for the opset 1-12 semantics: every axis from {@link #axis()} on is normalised together. */
    public boolean coercesTo2d() {
        return coerceTo2d;
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("axis", (long) axis).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "input");
        OpChecks.requireType(x, DataType.FLOAT, "input");
        if (x.shape().rank() == 0) {
            throw new IllegalArgumentException(opType() + " needs an input of rank >= 1, found a scalar");
        }
        x.shape().normalizeAxis(axis);
        return List.of(ValueInfo.of(x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        Shape s = x.shape();
        normalize(x.data(), x.offset(), y.data(), y.offset(), outer(s), extent(s), inner(s));
    }

    /** Adds the gradient of every slice into {@code dX}, from {@code Y} and {@code dY}. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor y = outputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        Shape s = y.shape();
        normalizeBackward(y.data(), y.offset(), dy.data(), dy.offset(), dx.data(), dx.offset(), outer(s), extent(s),
                inner(s));
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /*
     * The slices this op normalises, for an input of shape s: outer * inner slices of extent(s)
     * elements, stride inner. Three scalars rather than one array, so that a steady-state run
     * allocates nothing even where the JIT's escape analysis does not remove a small array
     * (PlanAllocationTest failed now and then on exactly those 32 bytes).
     */
    private int outer(Shape s) {
        return s.sizeBetween(0, s.normalizeAxis(axis));
    }

    private int extent(Shape s) {
        int a = s.normalizeAxis(axis);
        return coerceTo2d ? s.sizeBetween(a, s.rank()) : s.dim(a);
    }

    private int inner(Shape s) {
        return coerceTo2d ? 1 : s.sizeBetween(s.normalizeAxis(axis) + 1, s.rank());
    }

    /** Applies the kernel to {@code outer * inner} slices of {@code n} elements, stride {@code inner}. */
    abstract void normalize(float[] x, int xo, float[] y, int yo, int outer, int n, int inner);

    /** Adds the gradient of every slice into {@code dx}, from the outputs {@code y} and their gradient {@code dy}. */
    abstract void normalizeBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo,
                                    int outer, int n, int inner);

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((SoftmaxAlongAxis) o).axis == axis
                && ((SoftmaxAlongAxis) o).coerceTo2d == coerceTo2d;
    }

    @Override
    public int hashCode() {
        return (getClass().hashCode() * 31 + axis) * 2 + (coerceTo2d ? 1 : 0);
    }

    @Override
    public String toString() {
        return opType() + "(axis=" + axis + (coerceTo2d ? ", coerced to 2-D (opset < 13)" : "") + ")";
    }
}
