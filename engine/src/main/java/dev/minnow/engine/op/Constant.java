package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * A node whose output is a fixed tensor: no inputs, the value stored in the node. Exporters
 * emit Constants for reshape targets, axes and scalars. {@link #inferOutputs} returns the value
 * as a constant, so the planner never runs the node and folds what depends on it.
 *
 * <p>ONNX attributes, exactly one of: {@code value} (a tensor), {@code value_float} (FLOAT
 * scalar), {@code value_floats} (FLOAT vector), {@code value_int} (INT64 scalar),
 * {@code value_ints} (INT64 vector). Sparse and string values are not supported.
 */
public final class Constant implements Op {
    private final Tensor value;

    /** A constant node producing (a private copy of) {@code value}. */
    public Constant(Tensor value) {
        if (value == null) {
            throw new IllegalArgumentException("a Constant needs a value");
        }
        this.value = value.copy();
    }

    public static Constant fromOnnx(Attributes a) {
        String[] forms = {"value", "value_float", "value_floats", "value_int", "value_ints"};
        a.requireOnly("Constant", forms);
        int given = 0;
        for (String f : forms) {
            given += a.has(f) ? 1 : 0;
        }
        if (given != 1) {
            throw new IllegalArgumentException("Constant needs exactly one of the attributes "
                    + String.join(", ", forms) + "; found " + given + " (" + a + ")");
        }
        if (a.has("value")) {
            return new Constant(a.getTensor("value"));
        }
        if (a.has("value_float")) {
            return new Constant(Tensor.scalar(a.getFloat("value_float", 0)));
        }
        if (a.has("value_floats")) {
            float[] v = a.getFloats("value_floats", null);
            return new Constant(Tensor.of(Shape.of(v.length), v));
        }
        if (a.has("value_int")) {
            return new Constant(Tensor.ofLongs(Shape.scalar(), a.getLong("value_int", 0)));
        }
        long[] v = a.getLongs("value_ints", null);
        return new Constant(Tensor.ofLongs(Shape.of(v.length), v));
    }

    /** A copy of the value. */
    public Tensor value() {
        return value.copy();
    }

    @Override
    public String opType() {
        return "Constant";
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("value", value).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 0, 0);
        return List.of(ValueInfo.constant(value.copy()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        outputs[0].copyFrom(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Constant other && other.value.contentEquals(value);
    }

    @Override
    public int hashCode() {
        return 31 * Constant.class.hashCode() + value.shape().hashCode();
    }

    @Override
    public String toString() {
        return "Constant(" + value + ")";
    }
}
