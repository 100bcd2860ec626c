package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * One operation of a network: a convolution, a pooling, an addition. Ops follow ONNX semantics
 * (opset 13 is the canonical form; the ONNX reader converts older forms on import) and are
 * immutable: their settings are fixed at construction, and all per-run state lives in the
 * {@link ExecutionContext}.
 *
 * <p>An op knows nothing about its neighbours. It declares what it produces ({@link
 * #inferOutputs}), then computes it ({@link #forward}) into output tensors that the execution plan
 * allocated beforehand, so a steady-state run allocates nothing.
 *
 * <p>Inputs and outputs are positional, as in ONNX. An absent optional input (an empty name in
 * the graph) arrives as {@code null}; an output the graph does not use may be {@code null} too.
 */
public interface Op {

    /** The ONNX op type, e.g. {@code "Conv"}. */
    String opType();

    /** The ONNX domain: empty for the standard operators, {@code "dev.minnow"} for native ones. */
    default String domain() {
        return "";
    }

    /** The settings of this op in ONNX's terms, as they are exported. */
    Attributes attributes();

    /**
     * The type and shape of every output, given those of the inputs ({@code null} for absent
     * optional ones). An op whose outputs depend only on input shapes ({@code Shape}) or on
     * constant inputs may return constant values; the planner then never runs it.
     *
     * @throws IllegalArgumentException when the inputs do not fit, saying what was expected and
     *         what was found; the planner adds the node's name
     */
    List<ValueInfo> inferOutputs(List<ValueInfo> inputs);

    /**
     * Computes the outputs. {@code outputs[i]} are allocated with the inferred shapes; the op
     * overwrites every element.
     */
    void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx);

    /**
     * The backward pass (training): given the gradients of the loss with respect to the outputs,
     * <em>adds</em> the gradients with respect to the inputs into {@code inputGrads[i]} for every
     * non-null entry (several nodes may read one tensor, so contributions accumulate; the caller
     * zeroes them first). {@code outputGrads[i]} is {@code null} for an output nothing depends on.
     * Runs after {@link #forward} on the same context, so whatever forward saved with
     * {@link ExecutionContext#setState} is there.
     *
     * <p>Only called when {@link #hasBackward()} is true.
     */
    default void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                          ExecutionContext ctx) {
        throw new IllegalStateException(opType() + " has no backward pass");
    }

    /** True when {@link #backward} is implemented, so graphs containing this op can be trained. */
    default boolean hasBackward() {
        return false;
    }

    /**
     * Whether a float initializer feeding input {@code index} is a trainable parameter (weights,
     * biases, BN scale and shift) rather than a fixed setting (BN running statistics, Clip bounds,
     * a Pad value). Integer inputs are never trainable.
     */
    default boolean isTrainableInput(int index) {
        return true;
    }

    /**
     * Multiply-accumulate operations of one forward pass for these input and output types, the
     * figure model summaries and papers quote (convolutions, Gemm and MatMul); zero for ops whose
     * cost is not counted in MACs (activations, pooling, element-wise arithmetic).
     */
    default long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        return 0;
    }

    /**
     * True when output 0 is input 0 with a new shape and identical elements (Reshape, Flatten,
     * Squeeze, Unsqueeze, Identity): the planner then lets them share storage and skips the op's
     * forward (its {@link #backward} still runs). The answer must not depend on the run: Dropout,
     * the identity only at inference, says false.
     */
    default boolean isReshapeOfInput() {
        return false;
    }
}
