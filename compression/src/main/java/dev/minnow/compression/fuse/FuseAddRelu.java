package dev.minnow.compression.fuse;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.Add;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuses the end of a residual block, {@code Relu(Add(F(x), x))} (He et al. 2016), into one
 * FusedAdd ({@link Add#withRelu()}): one pass computing {@code max(a + b, 0)} instead of an Add
 * writing a tensor and a Relu reading and rewriting it. Exact: the same float operations.
 *
 * <p>Conditions: a float Add with numpy broadcasting whose output the Relu alone reads and which
 * is not a graph output. The element type comes from planning the graph with unknown dimensions
 * set to 1; a graph that cannot be planned that way is left alone.
 */
public final class FuseAddRelu implements GraphPass {

    @Override
    public String name() {
        return "fuse-add-relu";
    }

    /** Every match is disjoint from the others (the Add feeds the Relu alone): one sweep. */
    @Override
    public PassResult apply(Graph graph) {
        Plan types = null;
        Graph.Builder b = graph.toBuilder();
        List<String> changes = new ArrayList<>();
        for (Node relu : graph.nodes()) {
            if (!(relu.op() instanceof Relu)) {
                continue;
            }
            Node add = graph.producer(relu.input(0));
            if (add == null || !(add.op() instanceof Add op) || op.hasRelu() || op.legacyBroadcastAxis().isPresent()
                    || !GraphEdits.readOnlyBy(graph, relu.input(0), relu)) {
                continue;
            }
            if (types == null) {
                types = GraphEdits.shapes(graph);
                if (types == null) {
                    return PassResult.exact(graph, List.of());
                }
            }
            if (types.info(add.output()).type() != DataType.FLOAT) {
                continue;
            }
            b.removeNode(relu.name());
            b.replaceNode(new Node(add.name(), op.withRelu(), add.inputs(), List.of(relu.output())));
            changes.add("fused " + relu.describe() + " into " + add.describe() + " -> FusedAdd");
        }
        return PassResult.exact(changes.isEmpty() ? graph : b.build(), changes);
    }
}
