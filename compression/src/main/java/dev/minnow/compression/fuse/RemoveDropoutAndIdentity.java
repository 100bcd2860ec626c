package dev.minnow.compression.fuse;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Dropout;
import dev.minnow.engine.op.Identity;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes the nodes that compute {@code y = x} at inference: Dropout (the identity outside
 * training, Srivastava et al. 2014) and Identity. Their readers read {@code x} directly.
 *
 * <p>Graph outputs keep their names: when {@code y} is a graph output, the node that writes
 * {@code x} is made to write {@code y} instead (and every reader of {@code x} follows). That is
 * impossible when {@code x} is a graph input, an initializer, or itself a graph output; then an
 * Identity stays (it costs nothing: the planner makes it a view) and a Dropout becomes one.
 *
 * <p>Left alone: a Dropout whose mask output is read, and one whose {@code training_mode} input is
 * a constant true (it really drops at inference).
 */
public final class RemoveDropoutAndIdentity implements GraphPass {

    @Override
    public String name() {
        return "remove-dropout-identity";
    }

    @Override
    public PassResult apply(Graph graph) {
        Graph g = graph;
        List<String> changes = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        boolean again = true;
        while (again) {
            again = false;
            for (Node n : g.nodes()) {
                if (kept.contains(n.name()) || !isRemovable(g, n)) {
                    continue;
                }
                Graph next = remove(g, n, changes);
                if (next == null) {
                    kept.add(n.name());
                    continue;
                }
                g = next;
                again = true;
                break;
            }
        }
        return PassResult.exact(g, changes);
    }

    private static boolean isRemovable(Graph g, Node n) {
        if (n.op() instanceof Identity) {
            return true;
        }
        if (!(n.op() instanceof Dropout)) {
            return false;
        }
        if (n.outputs().size() > 1 && !n.outputs().get(1).isEmpty()
                && (!g.consumers(n.outputs().get(1)).isEmpty() || GraphEdits.isGraphOutput(g, n.outputs().get(1)))) {
            return false; // the mask is used
        }
        String mode = n.input(2);
        if (!mode.isEmpty()) {
            Tensor t = g.initializer(mode);
            if (t == null || t.type() != DataType.BOOL || t.byteData()[t.offset()] != 0) {
                return false; // training_mode true, or only known at run time
            }
        }
        return true;
    }

    /** The graph without {@code n}, or null when it must stay (an Identity that names a graph output). */
    private static Graph remove(Graph g, Node n, List<String> changes) {
        String x = n.input(0);
        String y = n.output();
        Graph.Builder b = g.toBuilder();
        if (!GraphEdits.isGraphOutput(g, y)) {
            b.removeNode(n.name());
            GraphEdits.redirectReaders(b, y, x);
            changes.add("removed " + n.op().opType() + " " + n.name() + " (its readers now read '" + x + "')");
        } else if (g.producer(x) != null && !GraphEdits.isGraphOutput(g, x)) {
            b.removeNode(n.name());
            GraphEdits.renameTensor(b, x, y);
            changes.add("removed " + n.op().opType() + " " + n.name() + " (node " + g.producer(x).name()
                    + " now writes the graph output '" + y + "')");
        } else if (n.op() instanceof Dropout) {
            b.replaceNode(new Node(n.name(), new Identity(), List.of(x), List.of(y)));
            changes.add("replaced Dropout " + n.name() + " by an Identity (graph output '" + y + "' copies '" + x + "')");
        } else {
            return null;
        }
        GraphEdits.dropUnreadInitializers(b, n.inputs().subList(1, n.inputs().size()));
        return b.build();
    }
}
