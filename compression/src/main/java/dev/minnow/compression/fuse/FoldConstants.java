package dev.minnow.compression.fuse;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Dropout;
import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Constant folding: a node whose inputs are all initializers (or that has none, like ONNX's
 * {@code Constant}) computes the same value on every run, so it runs once here and its outputs
 * become initializers. Repeated until nothing changes, so whole constant sub-graphs collapse
 * (a weight transposed then reshaped by an exporter, a Constant feeding a Reshape's target).
 *
 * <p>The planner folds such nodes too, at every {@code Plan.compile}; folding them in the graph
 * makes the saved model smaller and simpler, and lets the other passes see the weights they match
 * (a BatchNormalization whose scale comes out of a Mul of two constants is foldable only after
 * this pass).
 *
 * <p>Not folded: nodes writing a graph output (the output keeps its producer), Dropout (removed by
 * {@link RemoveDropoutAndIdentity}), and nodes that would create more than
 * {@value #MAX_FOLDED_ELEMENTS} elements (a ConstantOfShape of a huge shape is better computed).
 */
public final class FoldConstants implements GraphPass {
    /** Largest output, in elements, that folding may store in the graph. */
    static final long MAX_FOLDED_ELEMENTS = 1L << 24;

    @Override
    public String name() {
        return "fold-constants";
    }

    @Override
    public PassResult apply(Graph graph) {
        Graph g = graph;
        List<String> changes = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        boolean again = true;
        while (again) {
            again = false;
            for (Node n : g.nodes()) {
                if (refused.contains(n.name()) || !isFoldable(g, n)) {
                    continue;
                }
                Graph next = fold(g, n, changes);
                if (next == null) {
                    refused.add(n.name());
                    continue;
                }
                g = next;
                again = true;
                break;
            }
        }
        return PassResult.exact(g, changes);
    }

    private static boolean isFoldable(Graph g, Node n) {
        if (n.op() instanceof Dropout) {
            return false;
        }
        for (String in : n.inputs()) {
            if (!in.isEmpty() && g.initializer(in) == null) {
                return false;
            }
        }
        for (String out : n.outputs()) {
            if (GraphEdits.isGraphOutput(g, out)) {
                return false;
            }
        }
        return true;
    }

    /** The graph with {@code n} replaced by initializers, or null when its outputs are too large or it fails. */
    private static Graph fold(Graph g, Node n, List<String> changes) {
        List<ValueInfo> ins = new ArrayList<>();
        Tensor[] in = new Tensor[n.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            String name = n.inputs().get(i);
            in[i] = name.isEmpty() ? null : g.initializer(name);
            ins.add(in[i] == null ? null : ValueInfo.constant(in[i]));
        }
        Tensor[] out = new Tensor[n.outputs().size()];
        try {
            List<ValueInfo> outs = n.op().inferOutputs(ins);
            long elements = 0;
            for (int o = 0; o < out.length; o++) {
                elements += outs.get(o).shape().size();
            }
            if (elements > MAX_FOLDED_ELEMENTS) {
                return null;
            }
            boolean computed = true;
            for (int o = 0; o < out.length; o++) {
                ValueInfo vi = outs.get(o);
                out[o] = vi.isConstant() ? vi.constant() : Tensor.zeros(vi.shape(), vi.type());
                computed &= vi.isConstant();
            }
            if (!computed) {
                n.op().forward(in, out, new ExecutionContext(1, 1, 0));
            }
        } catch (RuntimeException e) {
            return null; // the planner will report it when the graph is planned
        }
        Graph.Builder b = g.toBuilder();
        b.removeNode(n.name());
        List<String> made = new ArrayList<>();
        for (int o = 0; o < out.length; o++) {
            String name = n.outputs().get(o);
            if (!name.isEmpty() && !g.consumers(name).isEmpty()) {
                b.initializer(name, out[o]);
                made.add(name + " " + out[o].shape());
            }
        }
        GraphEdits.dropUnreadInitializers(b, n.inputs());
        changes.add("folded " + n.describe() + " into the constant" + (made.size() == 1 ? " " : "s ")
                + String.join(", ", made));
        return b.build();
    }
}
