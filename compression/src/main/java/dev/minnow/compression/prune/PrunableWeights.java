package dev.minnow.compression.prune;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.MatMul;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which initializers of a graph are weights that pruning may remove: the filters of every
 * convolution ({@code Conv}'s input 1, {@code W [C_out, C_in/group, k...]}) and the weight matrices
 * of fully connected layers (a float initializer of rank &gt;= 2 read by {@code Gemm} or
 * {@code MatMul}), provided the trainer would train them ({@link Trainer#trainableInitializers}).
 * Biases, BN parameters and constants are never pruned: they are few, and removing one changes a
 * whole output channel rather than one connection.
 */
public final class PrunableWeights {

    /** What kind of layer a weight belongs to (the Deep Compression paper treats them differently). */
    public enum Kind {
        CONV, FC;

        /** "conv" or "fc", as reports and command lines write it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private PrunableWeights() {
    }

    /** The prunable weights' initializer names, in graph order. */
    public static List<String> of(Graph g) {
        return new ArrayList<>(kinds(g).keySet());
    }

    /** The prunable weights with their kind, in graph order. */
    public static Map<String, Kind> kinds(Graph g) {
        Set<String> trainable = Set.copyOf(Trainer.trainableInitializers(g));
        Map<String, Kind> result = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Conv) {
                addIfWeight(g, trainable, n.input(1), Kind.CONV, result);
            } else if (n.op() instanceof Gemm || n.op() instanceof MatMul) {
                addIfWeight(g, trainable, n.input(0), Kind.FC, result);
                addIfWeight(g, trainable, n.input(1), Kind.FC, result);
            }
        }
        return result;
    }

    /** The kind of a prunable weight. */
    public static Kind kindOf(Graph g, String weight) {
        Kind k = kinds(g).get(weight);
        if (k == null) {
            throw new IllegalArgumentException(notPrunable(g, weight));
        }
        return k;
    }

    /** The message for a name that is not a prunable weight, listing the ones that are. */
    static String notPrunable(Graph g, String weight) {
        return "'" + weight + "' is not a prunable weight of graph '" + g.name() + "' (prunable: "
                + String.join(", ", of(g)) + ")";
    }

    private static void addIfWeight(Graph g, Set<String> trainable, String name, Kind kind, Map<String, Kind> out) {
        Tensor t = name.isEmpty() ? null : g.initializer(name);
        if (t != null && t.type() == DataType.FLOAT && t.rank() >= 2 && trainable.contains(name)) {
            out.putIfAbsent(name, kind);
        }
    }
}
