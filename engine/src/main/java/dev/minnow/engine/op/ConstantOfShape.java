package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor of the shape given by the int64 vector input, every element equal to the attribute
 * {@code value} (a one-element tensor, default FLOAT 0), of value's type. {@code [2, 3]} with
 * value {@code 1.0} gives a 2x3 matrix of ones. The shape input must be known when planning;
 * the planner then folds the node into a constant.
 */
public final class ConstantOfShape implements Op {
    private final Tensor value;

    /** Fills with {@code value}, a one-element tensor of any type. */
    public ConstantOfShape(Tensor value) {
        if (value == null || value.size() != 1) {
            throw new IllegalArgumentException("ConstantOfShape's value must be a one-element tensor, got " + value);
        }
        this.value = value.copy();
    }

    /** Fills with FLOAT zeros. */
    public ConstantOfShape() {
        this(Tensor.of(Shape.of(1), 0f));
    }

    public static ConstantOfShape fromOnnx(Attributes attributes) {
        attributes.requireOnly("ConstantOfShape", "value");
        Tensor v = attributes.getTensor("value");
        return v == null ? new ConstantOfShape() : new ConstantOfShape(v);
    }

    @Override
    public String opType() {
        return "ConstantOfShape";
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("value", value).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 1, 1);
        ValueInfo shape = OpChecks.requireConstant(inputs, 0, "input");
        OpChecks.requireType(shape, DataType.INT64, "input");
        OpChecks.requireRank(shape, 1, "input");
        long[] dims = shape.constant().toLongArray();
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("the shape must not hold negative sizes, found "
                        + Arrays.toString(dims));
            }
        }
        return List.of(ValueInfo.of(value.type(), Shape.of(dims)));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor y = outputs[0];
        ElementCopy.repeat(value, 0, y, 0, y.size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConstantOfShape other && other.value.contentEquals(value);
    }

    @Override
    public int hashCode() {
        return 31 * ConstantOfShape.class.hashCode() + value.type().hashCode();
    }

    @Override
    public String toString() {
        return "ConstantOfShape(" + value + ")";
    }
}
