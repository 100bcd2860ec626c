package dev.minnow.compression.lowrank;

import dev.minnow.compression.fuse.GraphEdits;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Low-rank decomposition as a graph transformation: every chosen layer is replaced by the chain of
 * thinner layers its decomposition gives (truncated SVD of fully connected layers, Tucker-2 or CP
 * of convolutions; see {@link GemmFactorization} and {@link ConvFactorization}). The chain reads
 * the layer's input and writes the layer's output tensor, so the rest of the graph is untouched;
 * the input graph and its tensors are never modified. The result computes an approximation of the
 * original function, exact at full rank, and is normally fine-tuned afterwards (the factors are
 * ordinary trainable weights). Everything in the result is a standard ONNX op (Gemm, Conv with
 * groups), so it exports and runs anywhere.
 *
 * <p>Without a list of layers, every eligible layer is decomposed, except those where the chosen
 * rank would not reduce the parameters (a small classifier layer, a 1x1 convolution), which are
 * listed as skipped with the reason.
 */
public final class LowRankDecomposition {
    private LowRankDecomposition() {
    }

    /**
     * The decomposed graph and what happened to each layer.
     *
     * @param graph   the rewritten graph
     * @param layers  one report per decomposed layer, in graph order
     * @param skipped one line per eligible layer left alone, with the reason
     */
    public record Result(Graph graph, List<LayerReport> layers, List<String> skipped) {
        public Result {
            layers = List.copyOf(layers);
            skipped = List.copyOf(skipped);
        }
    }

    /** The nodes {@code method} can decompose, in graph order. */
    public static List<String> candidates(Graph g, LowRankMethod method) {
        List<String> r = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (whyNot(g, n, method) == null) {
                r.add(n.name());
            }
        }
        return r;
    }

    /** Decomposes every eligible layer whose decomposition is smaller than the layer. */
    public static Result apply(Graph g, LowRankMethod method) {
        return apply(g, method, null);
    }

    /**
     * Decomposes the named layers (node names), or every eligible one when {@code layers} is null or
     * empty (then those that would not shrink are skipped).
     *
     * @throws IllegalArgumentException naming the layer when a named one is missing or cannot be
     *                                  decomposed by this method (e.g. a grouped convolution)
     */
    public static Result apply(Graph g, LowRankMethod method, Collection<String> layers) {
        Plan before = GraphEdits.shapes(g);
        if (before == null) {
            throw new IllegalArgumentException("graph '" + g.name() + "' cannot be planned (with unknown dimensions"
                    + " taken as 1), so its layers' shapes and costs are unknown");
        }
        boolean all = layers == null || layers.isEmpty();
        List<String> chosen = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (all) {
            for (Node n : g.nodes()) {
                if (whyNot(g, n, method) != null) {
                    continue;
                }
                if (method.decomposesConvolutions() && ConvFactorization.isPointwise(g, n)) {
                    skipped.add(n.name() + ": a 1x1 convolution (a matrix over channels; nothing for Tucker-2 or CP"
                            + " to gain)");
                } else {
                    chosen.add(n.name());
                }
            }
        } else {
            for (String name : new LinkedHashSet<>(layers)) {
                Node n = g.node(name);
                if (n == null) {
                    throw new IllegalArgumentException("graph '" + g.name() + "' has no node '" + name + "'; "
                            + method.describe().split(" ")[0] + " can decompose: " + String.join(", ",
                            candidates(g, method)));
                }
                String why = whyNot(g, n, method);
                if (why != null) {
                    throw new IllegalArgumentException(why);
                }
                chosen.add(name);
            }
        }
        Graph.Builder b = g.toBuilder();
        List<LayerRewrite> done = new ArrayList<>();
        for (String name : chosen) {
            Node n = g.node(name);
            LayerRewrite r = rewrite(g, b, n, method);
            if (all && r.weightsAfter() >= r.weightsBefore()) {
                skipped.add(String.format(Locale.ROOT, "%s: rank %s would not make it smaller (%d -> %d parameters)",
                        name, ranksText(r.ranks()), r.weightsBefore(), r.weightsAfter()));
                continue;
            }
            install(b, r);
            done.add(r);
        }
        Graph result = done.isEmpty() ? g : b.build();
        Plan after = GraphEdits.shapes(result);
        if (after == null) {
            throw new IllegalStateException("the decomposed graph '" + g.name() + "' cannot be planned");
        }
        Map<String, GraphSummary.NodeSummary> rowsBefore = rows(GraphSummary.of(before));
        Map<String, GraphSummary.NodeSummary> rowsAfter = rows(GraphSummary.of(after));
        List<LayerReport> reports = new ArrayList<>();
        for (LayerRewrite r : done) {
            GraphSummary.NodeSummary old = rowsBefore.get(r.node());
            long params = 0;
            long macs = 0;
            List<String> names = new ArrayList<>();
            for (Node n : r.replacement()) {
                GraphSummary.NodeSummary row = rowsAfter.get(n.name());
                params += row.params();
                macs += row.macs();
                names.add(n.name());
            }
            reports.add(new LayerReport(r.node(), r.method(), r.ranks(), names, r.relativeError(), r.keptEnergy(),
                    r.iterations(), old.params(), params, old.macs(), macs));
        }
        return new Result(result, reports, skipped);
    }

    private static LayerRewrite rewrite(Graph g, Graph.Builder b, Node n, LowRankMethod method) {
        if (method instanceof LowRankMethod.Svd svd) {
            return GemmFactorization.svd(g, b, n, svd.rule());
        }
        if (method instanceof LowRankMethod.Tucker tucker) {
            return ConvFactorization.tucker(g, b, n, tucker.outRule(), tucker.inRule());
        }
        return ConvFactorization.cp(g, b, n, (LowRankMethod.Cp) method);
    }

    /** Replaces the node by its chain and drops the weight nobody reads any more. */
    private static void install(Graph.Builder b, LayerRewrite r) {
        b.removeNode(r.node());
        r.initializers().forEach(b::initializer);
        r.replacement().forEach(b::node);
        GraphEdits.dropUnreadInitializers(b, r.dropped());
    }

    private static String whyNot(Graph g, Node n, LowRankMethod method) {
        if (method.decomposesConvolutions()) {
            return n.op() instanceof Conv ? ConvFactorization.whyNot(g, n)
                    : "node " + n.describe() + " is not a convolution; " + method.describe().split(" ")[0]
                    + " decomposes convolutions (use SVD for fully connected layers)";
        }
        return n.op() instanceof Gemm ? GemmFactorization.whyNot(g, n)
                : "node " + n.describe() + " is not a fully connected layer (Gemm); SVD decomposes those (use Tucker-2"
                + " or CP for convolutions)";
    }

    private static String ranksText(int[] ranks) {
        return ranks.length == 2 ? "in " + ranks[0] + ", out " + ranks[1] : Integer.toString(ranks[0]);
    }

    private static Map<String, GraphSummary.NodeSummary> rows(GraphSummary s) {
        Map<String, GraphSummary.NodeSummary> m = new HashMap<>();
        for (GraphSummary.NodeSummary row : s.nodes()) {
            m.put(row.name(), row);
        }
        return m;
    }
}
