package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Tensor;

/**
 * The ops whose output is their input with another shape and the same elements in the same order
 * (Flatten, Reshape, Squeeze, Unsqueeze, Identity). The planner lets the output share the input's
 * storage and skips {@link #forward}; the backward pass still runs and hands the gradient back
 * reshaped.
 */
interface ReshapeView extends Op {

    /** Copies; only runs when the planner did not alias the output to the input. */
    @Override
    default void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        outputs[0].copyFrom(inputs[0]);
    }

    @Override
    default boolean isReshapeOfInput() {
        return true;
    }

    /** {@code dX += dY} reshaped: the elements keep their order. Runs even when the planner skipped forward. */
    @Override
    default void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                          ExecutionContext ctx) {
        ElementCopy.accumulateReshaped(outputGrads[0], inputGrads[0]);
    }

    @Override
    default boolean hasBackward() {
        return true;
    }
}
