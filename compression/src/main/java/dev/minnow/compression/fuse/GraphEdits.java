package dev.minnow.compression.fuse;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The questions graph passes ask about a graph ("is this tensor read by that node alone?") and
 * the rewiring they do on a {@link Graph.Builder} (rename a tensor, redirect its readers, drop
 * weights nobody reads any more). Pattern matching stays in the passes; ops never see it.
 */
public final class GraphEdits {
    private GraphEdits() {
    }

    public static boolean isGraphOutput(Graph g, String tensor) {
        return g.outputs().contains(tensor);
    }

    /**
     * True when {@code reader} is the only node that reads {@code tensor} and the tensor is not a
     * graph output: the condition for folding the producer and the reader into one node, since
     * nobody else may see the intermediate value.
     */
    public static boolean readOnlyBy(Graph g, String tensor, Node reader) {
        if (isGraphOutput(g, tensor)) {
            return false;
        }
        List<Node> readers = g.consumers(tensor);
        return !readers.isEmpty() && readers.stream().allMatch(n -> n.name().equals(reader.name()));
    }

    /** The one node reading {@code tensor}, or null when none, several, or the tensor is a graph output. */
    public static Node onlyReader(Graph g, String tensor) {
        List<Node> readers = g.consumers(tensor);
        if (readers.isEmpty() || isGraphOutput(g, tensor)) {
            return null;
        }
        Node first = readers.get(0);
        return readers.stream().allMatch(n -> n.name().equals(first.name())) ? first : null;
    }

    /** Makes every node that reads {@code from} read {@code to} instead. */
    public static void redirectReaders(Graph.Builder b, String from, String to) {
        for (Node n : List.copyOf(b.nodes())) {
            if (n.inputs().contains(from)) {
                b.replaceNode(new Node(n.name(), n.op(), replace(n.inputs(), from, to), n.outputs()));
            }
        }
    }

    /** Renames a tensor everywhere: the node writing it, the nodes reading it, the graph outputs. */
    public static void renameTensor(Graph.Builder b, String from, String to) {
        for (Node n : List.copyOf(b.nodes())) {
            if (n.inputs().contains(from) || n.outputs().contains(from)) {
                b.replaceNode(new Node(n.name(), n.op(), replace(n.inputs(), from, to), replace(n.outputs(), from, to)));
            }
        }
        if (b.outputs().contains(from)) {
            List<String> outs = replace(b.outputs(), from, to);
            b.clearOutputs();
            outs.forEach(b::output);
        }
    }

    private static List<String> replace(List<String> names, String from, String to) {
        List<String> r = new ArrayList<>(names.size());
        for (String s : names) {
            r.add(s.equals(from) ? to : s);
        }
        return r;
    }

    /** Removes those of {@code names} that are initializers no node reads and no graph output names. */
    public static void dropUnreadInitializers(Graph.Builder b, Collection<String> names) {
        for (String name : names) {
            if (name.isEmpty() || !b.initializers().containsKey(name) || b.outputs().contains(name)) {
                continue;
            }
            boolean read = b.nodes().stream().anyMatch(n -> n.inputs().contains(name));
            if (!read) {
                b.removeInitializer(name);
            }
        }
    }

    /** True when {@code tensor} is read by a node other than {@code except}, or is a graph output. */
    public static boolean readElsewhere(Graph g, String tensor, Node except) {
        return isGraphOutput(g, tensor) || g.consumers(tensor).stream().anyMatch(n -> !n.name().equals(except.name()));
    }

    /**
     * A plan of the graph with every unknown input dimension taken as 1, for the shapes and types
     * of its tensors; {@code null} when the graph cannot be planned that way (then the passes that
     * need shapes leave the graph alone).
     */
    public static Plan shapes(Graph g) {
        Map<String, Shape> shapes = new HashMap<>();
        for (GraphInput in : g.inputs()) {
            int[] d = in.shape().dims();
            for (int i = 0; i < d.length; i++) {
                if (d[i] == Shape.UNKNOWN) {
                    d[i] = 1;
                }
            }
            shapes.put(in.name(), Shape.of(d));
        }
        try {
            return Plan.compile(g, shapes, PlanOptions.inference().withThreads(1));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The single value of a one-element float tensor. */
    public static float scalar(Tensor t) {
        if (t.size() != 1) {
            throw new IllegalArgumentException("expected a scalar, found shape " + t.shape());
        }
        return t.data()[t.offset()];
    }
}
