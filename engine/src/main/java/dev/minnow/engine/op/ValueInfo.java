package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;

/**
 * What is known about a tensor before the graph runs: its element type, its shape, and, when it
 * is fixed at planning time (an initializer, or computed only from initializers and shapes), its
 * value. Shape inference passes these from node to node; a {@code Reshape} reads its target shape
 * from {@link #constant()}.
 *
 * @param type     element type
 * @param shape    concrete shape
 * @param constant the value when known before running, else {@code null}
 */
public record ValueInfo(DataType type, Shape shape, Tensor constant) {

    public ValueInfo {
        if (type == null || shape == null) {
            throw new IllegalArgumentException("a value needs a type and a shape");
        }
        if (constant != null && (constant.type() != type || !constant.shape().equals(shape))) {
            throw new IllegalArgumentException("constant " + constant.type() + " " + constant.shape()
                    + " does not match declared " + type + " " + shape);
        }
    }

    /** A float value of the given shape, not known until run time. */
    public static ValueInfo of(Shape shape) {
        return new ValueInfo(DataType.FLOAT, shape, null);
    }

    public static ValueInfo of(DataType type, Shape shape) {
        return new ValueInfo(type, shape, null);
    }

    /** A value known at planning time. */
    public static ValueInfo constant(Tensor value) {
        return new ValueInfo(value.type(), value.shape(), value);
    }

    public boolean isConstant() {
        return constant != null;
    }

    @Override
    public String toString() {
        return type + " " + shape + (constant != null ? " (constant)" : "");
    }
}
