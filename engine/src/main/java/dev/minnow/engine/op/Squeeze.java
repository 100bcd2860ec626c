package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Removes dimensions of size 1: those listed in the optional int64 input {@code axes} (negative
 * counting from the end; each must have size 1), or, without {@code axes}, every dimension of
 * size 1. {@code [1, 3, 1, 5]} with axes {@code [-2]} gives {@code [1, 3, 5]}; without axes
 * {@code [3, 5]}. The elements do not move, so the planner aliases the storage. Any element
 * type.
 *
 * <p>Opset 13 form: axes is an input that must be known when planning (the ONNX reader turns
 * the attribute of older opsets into an input).
 *
 * <p>Backward: {@code dL/dx} is {@code dL/dy} with the input's shape (the same elements in the
 * same order). The planner skips this op's forward (a view), but its backward runs.
 */
public final class Squeeze implements ReshapeView {

    public static Squeeze fromOnnx(Attributes attributes) {
        attributes.requireOnly("Squeeze");
        return new Squeeze();
    }

    @Override
    public String opType() {
        return "Squeeze";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 1, 2);
        ValueInfo data = OpChecks.require(inputs, 0, "data");
        Shape s = data.shape();
        boolean[] remove = new boolean[s.rank()];
        if (OpChecks.optional(inputs, 1) == null) {
            for (int d = 0; d < s.rank(); d++) {
                remove[d] = s.dim(d) == 1;
            }
        } else {
            ValueInfo axes = OpChecks.requireConstant(inputs, 1, "axes");
            OpChecks.requireType(axes, DataType.INT64, "axes");
            OpChecks.requireRank(axes, 1, "axes");
            long[] list = axes.constant().toLongArray();
            for (long axis : list) {
                int r = s.rank();
                if (axis < -r || axis >= r) {
                    throw new IllegalArgumentException("axis " + axis + " of " + Arrays.toString(list)
                            + " is out of range for input " + s + " (must be in [" + (-r) + ", " + (r - 1) + "])");
                }
                int d = (int) (axis < 0 ? axis + r : axis);
                if (s.dim(d) != 1) {
                    throw new IllegalArgumentException("cannot squeeze axis " + axis + " of " + s + ": its size is "
                            + s.dim(d) + ", not 1 (axes " + Arrays.toString(list) + ")");
                }
                if (remove[d]) {
                    throw new IllegalArgumentException("axes " + Arrays.toString(list) + " name axis " + d
                            + " twice");
                }
                remove[d] = true;
            }
        }
        int[] kept = new int[s.rank()];
        int n = 0;
        for (int d = 0; d < s.rank(); d++) {
            if (!remove[d]) {
                kept[n++] = s.dim(d);
            }
        }
        return List.of(ValueInfo.of(data.type(), Shape.of(Arrays.copyOf(kept, n))));
    }

    /** Only {@code data} is trainable; {@code axes} is a setting. */
    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Squeeze;
    }

    @Override
    public int hashCode() {
        return Squeeze.class.hashCode();
    }

    @Override
    public String toString() {
        return "Squeeze";
    }
}
