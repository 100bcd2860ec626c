package dev.minnow.engine.graph;

import dev.minnow.engine.op.Op;
import java.util.List;

/**
 * One step of a graph: an op applied to named input tensors, producing named output tensors.
 * An empty input name marks an absent optional input, as in ONNX.
 *
 * @param name    unique within its graph; error messages quote it
 * @param op      what the node computes
 * @param inputs  names of the tensors it reads, in the op's positional order
 * @param outputs names of the tensors it writes
 */
public record Node(String name, Op op, List<String> inputs, List<String> outputs) {

    public Node {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a node needs a name");
        }
        if (op == null) {
            throw new IllegalArgumentException("node '" + name + "' has no op");
        }
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("node '" + name + "' (" + op.opType() + ") has no outputs");
        }
    }

    /** The node's input name at {@code i}, or {@code ""} when absent. */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    /** The first output's name. */
    public String output() {
        return outputs.get(0);
    }

    /** {@code conv1 (Conv)}: how messages refer to a node. */
    public String describe() {
        return "'" + name + "' (" + op.opType() + ")";
    }

    /** This node with another op, same wiring. */
    public Node withOp(Op newOp) {
        return new Node(name, newOp, inputs, outputs);
    }
}
