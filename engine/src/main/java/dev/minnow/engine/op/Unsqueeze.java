package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Inserts dimensions of size 1 at the positions listed in the int64 input {@code axes}, which
 * index the <em>output</em>: for an input of rank r and k axes, each axis lies in
 * {@code [-(r+k), r+k-1]} (negative counting from the output's end), in any order, without
 * repeats. {@code [3, 4, 5]} with axes {@code [0, 4]} gives {@code [1, 3, 4, 5, 1]}. The elements
 * do not move, so the planner aliases the storage. Exporters unsqueeze int64 scalars into
 * one-element vectors before concatenating shapes; any element type is accepted.
 *
 * <p>Opset 13 form: axes is an input that must be known when planning (the ONNX reader turns
 * the attribute of older opsets into an input).
 *
 * <p>Backward: {@code dL/dx} is {@code dL/dy} with the input's shape (the same elements in the
 * same order). The planner skips this op's forward (a view), but its backward runs.
 */
public final class Unsqueeze implements ReshapeView {

    public static Unsqueeze fromOnnx(Attributes attributes) {
        attributes.requireOnly("Unsqueeze");
        return new Unsqueeze();
    }

    @Override
    public String opType() {
        return "Unsqueeze";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 2);
        ValueInfo data = OpChecks.require(inputs, 0, "data");
        ValueInfo axes = OpChecks.requireConstant(inputs, 1, "axes");
        OpChecks.requireType(axes, DataType.INT64, "axes");
        if (axes.shape().rank() > 1) {
            throw new IllegalArgumentException("axes must be a vector (or scalar), found shape " + axes.shape());
        }
        long[] list = axes.constant().toLongArray();
        Shape s = data.shape();
        int rank = s.rank() + list.length;
        boolean[] inserted = new boolean[rank];
        for (long axis : list) {
            if (axis < -rank || axis >= rank) {
                throw new IllegalArgumentException("axis " + axis + " of " + Arrays.toString(list)
                        + " is out of range for an output of rank " + rank + " (must be in [" + (-rank) + ", "
                        + (rank - 1) + "])");
            }
            int d = (int) (axis < 0 ? axis + rank : axis);
            if (inserted[d]) {
                throw new IllegalArgumentException("axes " + Arrays.toString(list) + " name output axis " + d
                        + " twice");
            }
            inserted[d] = true;
        }
        int[] dims = new int[rank];
        int next = 0;
        for (int d = 0; d < rank; d++) {
            dims[d] = inserted[d] ? 1 : s.dim(next++);
        }
        return List.of(ValueInfo.of(data.type(), Shape.of(dims)));
    }

    /** Only {@code data} is trainable; {@code axes} is a setting. */
    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Unsqueeze;
    }

    @Override
    public int hashCode() {
        return Unsqueeze.class.hashCode();
    }

    @Override
    public String toString() {
        return "Unsqueeze";
    }
}
