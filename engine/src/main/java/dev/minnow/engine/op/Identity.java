package dev.minnow.engine.op;

import java.util.List;

/**
 * {@code y = x}, any element type. Exporters leave Identity nodes where a graph output must have
 * its own name or where a training-only op was removed; the planner lets {@code y} share
 * {@code x}'s storage ({@link #isReshapeOfInput()}), so an Identity costs nothing at run time.
 *
 * <p>Backward: {@code dL/dx} is {@code dL/dy} with the input's shape (the same elements in the
 * same order). The planner skips this op's forward (a view), but its backward runs.
 */
public final class Identity implements ReshapeView {

    public static Identity fromOnnx(Attributes attributes) {
        attributes.requireOnly("Identity");
        return new Identity();
    }

    @Override
    public String opType() {
        return "Identity";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "input");
        return List.of(ValueInfo.of(x.type(), x.shape()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Identity;
    }

    @Override
    public int hashCode() {
        return Identity.class.hashCode();
    }

    @Override
    public String toString() {
        return "Identity";
    }
}
