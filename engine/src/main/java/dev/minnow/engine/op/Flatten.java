package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Shape;
import java.util.List;

/**
 * Flattens to a matrix at {@code axis} (default 1): an input {@code [d_0, ..., d_{r-1}]} becomes
 * <pre>
 *   [d_0 * ... * d_{axis-1},  d_axis * ... * d_{r-1}]
 * </pre>
 * with the elements in the same (row-major) order; an empty product is 1, so {@code axis=0}
 * gives {@code [1, size]}. {@code axis} lies in {@code [-r, r]}, a negative one counting from
 * the end. The bridge from convolutional features {@code [N, C, H, W]} to a fully connected
 * layer {@code [N, C*H*W]}. Any element type; the planner aliases the storage.
 *
 * <p>Backward: {@code dL/dx} is {@code dL/dy} with the input's shape (the same elements in the
 * same order). The planner skips this op's forward (a view), but its backward runs.
 */
public final class Flatten implements ReshapeView {
    private final int axis;

    public Flatten(int axis) {
        this.axis = axis;
    }

    /** Flatten at axis 1: keep the batch, merge the rest. */
    public Flatten() {
        this(1);
    }

    public static Flatten fromOnnx(Attributes attributes) {
        attributes.requireOnly("Flatten", "axis");
        return new Flatten(attributes.getInt("axis", 1));
    }

    public int axis() {
        return axis;
    }

    @Override
    public String opType() {
        return "Flatten";
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("axis", (long) axis).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "input");
        Shape s = x.shape();
        int r = s.rank();
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a > r) {
            throw new IllegalArgumentException("Flatten axis " + axis + " is out of range for input " + s
                    + " (must be in [" + (-r) + ", " + r + "])");
        }
        return List.of(ValueInfo.of(x.type(), Shape.of(s.sizeBetween(0, a), s.sizeBetween(a, r))));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Flatten other && other.axis == axis;
    }

    @Override
    public int hashCode() {
        return 31 * Flatten.class.hashCode() + axis;
    }

    @Override
    public String toString() {
        return "Flatten(axis=" + axis + ")";
    }
}
