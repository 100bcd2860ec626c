package dev.minnow.engine.graph;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;

/**
 * A value the caller feeds to a graph. Its shape may leave dimensions {@link Shape#UNKNOWN}
 * (typically the batch); a plan is made for concrete shapes that match it.
 */
public record GraphInput(String name, DataType type, Shape shape) {

    public GraphInput {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a graph input needs a name");
        }
        if (type == null || shape == null) {
            throw new IllegalArgumentException("graph input '" + name + "' needs a type and a shape");
        }
    }
}
