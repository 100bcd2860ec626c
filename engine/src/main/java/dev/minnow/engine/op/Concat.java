package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Joins tensors along one axis: inputs of equal rank that agree on every dimension except
 * {@code axis} give an output whose {@code axis} dimension is the sum of theirs.
 * <pre>
 *   out[axis] = sum_i in_i[axis]
 *   viewing each input as [outer, in_i[axis] * inner]:  out[o] = in_0[o] ++ in_1[o] ++ ...
 * </pre>
 * The join of an Inception block (Szegedy et al. 2015) and of SqueezeNet's fire module (Iandola
 * et al. 2016) concatenates channels ({@code axis=1}); exporters also concatenate int64 shape
 * vectors ({@code axis=0}), so every element type is accepted. A negative axis counts from the
 * end.
 *
 * <p>Backward: each input's gradient is its own slice of the output's gradient,
 * {@code dL/din_i[o] = dL/dout[o][col_i, col_i + in_i[axis] * inner)}, the inverse of the copy
 * (float inputs only).
 */
public final class Concat implements Op {
    private final int axis;

    public Concat(int axis) {
        this.axis = axis;
    }

    public static Concat fromOnnx(Attributes attributes) {
        attributes.requireOnly("Concat", "axis");
        if (!attributes.has("axis")) {
            throw new IllegalArgumentException("Concat needs the attribute 'axis'");
        }
        return new Concat(attributes.getInt("axis", 0));
    }

    public int axis() {
        return axis;
    }

    @Override
    public String opType() {
        return "Concat";
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("axis", (long) axis).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("Concat needs at least one input");
        }
        ValueInfo first = OpChecks.require(inputs, 0, "inputs[0]");
        Shape s0 = first.shape();
        if (s0.rank() == 0) {
            throw new IllegalArgumentException("Concat cannot join scalars (rank 0); found input 0 of shape " + s0);
        }
        int a = s0.normalizeAxis(axis);
        long total = 0;
        for (int i = 0; i < inputs.size(); i++) {
            ValueInfo v = OpChecks.require(inputs, i, "inputs[" + i + "]");
            if (v.type() != first.type()) {
                throw new IllegalArgumentException("all inputs must have the same type; input 0 is " + first.type()
                        + ", input " + i + " is " + v.type());
            }
            Shape s = v.shape();
            boolean fits = s.rank() == s0.rank();
            for (int d = 0; fits && d < s.rank(); d++) {
                fits = d == a || s.dim(d) == s0.dim(d);
            }
            if (!fits) {
                throw new IllegalArgumentException("input " + i + " of shape " + s + " does not fit input 0 of shape "
                        + s0 + ": concatenating along axis " + axis + " needs the same rank and equal sizes on "
                        + "every other axis");
            }
            total += s.dim(a);
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("concatenated axis would have " + total + " elements");
        }
        return List.of(ValueInfo.of(first.type(), s0.withDim(a, (int) total)));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor y = outputs[0];
        Shape out = y.shape();
        int a = out.normalizeAxis(axis);
        int outer = out.sizeBetween(0, a);
        int inner = out.sizeBetween(a + 1, out.rank());
        int rowLength = out.dim(a) * inner;
        int col = 0;
        for (Tensor x : inputs) {
            int block = x.shape().dim(a) * inner;
            for (int o = 0; o < outer; o++) {
                ElementCopy.copy(x, o * block, y, o * rowLength + col, block);
            }
            col += block;
        }
    }

    /** Adds each input's slice of {@code dY} into its gradient. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        if (dy == null || dy.type() != DataType.FLOAT) {
            return;
        }
        Shape out = dy.shape();
        int a = out.normalizeAxis(axis);
        int outer = out.sizeBetween(0, a);
        int inner = out.sizeBetween(a + 1, out.rank());
        int rowLength = out.dim(a) * inner;
        int col = 0;
        for (int i = 0; i < inputs.length; i++) {
            int block = inputs[i].shape().dim(a) * inner;
            Tensor dx = inputGrads[i];
            if (dx != null) {
                for (int o = 0; o < outer; o++) {
                    ElementCopy.accumulate(dy, o * rowLength + col, dx, o * block, block);
                }
            }
            col += block;
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Concat other && other.axis == axis;
    }

    @Override
    public int hashCode() {
        return 31 * Concat.class.hashCode() + axis;
    }

    @Override
    public String toString() {
        return "Concat(axis=" + axis + ")";
    }
}
