package dev.minnow.compression.fuse;

import dev.minnow.engine.graph.Graph;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The exact inference optimisations, applied in order, as ONNX Runtime applies its graph
 * optimisation levels when it loads a model. Each pass is a {@link GraphPass}; none changes what
 * the graph computes beyond float rounding.
 * <pre>
 *   BASIC  remove-dropout-identity   Dropout and Identity are y = x at inference
 *          fold-constants            nodes with constant inputs become initializers
 *          remove-unused             nodes and weights nothing reads
 *   ALL    BASIC, then
 *          fold-batchnorm            BN into the preceding Conv / Gemm (w' = w a, b' = (b - mean) a + beta)
 *          fuse-activation           Relu / Clip / LeakyRelu into the producing Conv / Gemm
 *          fuse-add-relu             Relu(Add) of residual blocks into one FusedAdd
 *          remove-unused
 * </pre>
 * The result is an inference graph: fused ops have no backward pass, so train first, optimise
 * last. {@code minnow run / bench / eval / classify / profile} apply {@link Level#ALL} to every
 * model they load unless given {@code --no-optimize}; {@code --verbose} prints the log.
 * <pre>{@code
 * GraphOptimizer.Optimized o = GraphOptimizer.of(GraphOptimizer.Level.ALL).optimize(graph);
 * o.log().forEach(System.err::println);
 * Plan plan = Plan.compile(o.graph(), shape);
 * }</pre>
 */
public final class GraphOptimizer {

    /** How much to do. */
    public enum Level {
        /** Nothing: the graph as loaded. */
        NONE,
        /** Remove no-ops, fold constants, remove dead code. */
        BASIC,
        /** BASIC plus batch-norm folding and activation fusion. */
        ALL
    }

    /** What one pass did. */
    public record PassReport(String pass, List<String> changes, int nodesBefore, int nodesAfter) {
    }

    /** The optimised graph and the report of every pass, in order. */
    public record Optimized(Graph graph, List<PassReport> reports, int nodesBefore) {

        public int nodesAfter() {
            return graph.nodes().size();
        }

        /** Every change, prefixed by its pass. */
        public List<String> log() {
            List<String> lines = new ArrayList<>();
            for (PassReport r : reports) {
                for (String c : r.changes()) {
                    lines.add(r.pass() + ": " + c);
                }
            }
            return lines;
        }

        /** {@code "213 -> 148 nodes (fold-batchnorm 57, fuse-activation 64, ...)"}. */
        public String summary() {
            List<String> parts = new ArrayList<>();
            for (PassReport r : reports) {
                if (!r.changes().isEmpty()) {
                    parts.add(r.pass() + " " + r.changes().size());
                }
            }
            return String.format(Locale.ROOT, "%d -> %d nodes%s", nodesBefore, nodesAfter(),
                    parts.isEmpty() ? " (nothing to optimise)" : " (" + String.join(", ", parts) + ")");
        }
    }

    private final List<GraphPass> passes;

    /** An optimiser running exactly these passes, in this order. */
    public GraphOptimizer(List<GraphPass> passes) {
        this.passes = List.copyOf(passes);
    }

    /** The standard passes of a level. */
    public static GraphOptimizer of(Level level) {
        List<GraphPass> p = new ArrayList<>();
        if (level != Level.NONE) {
            p.add(new RemoveDropoutAndIdentity());
            p.add(new FoldConstants());
            if (level == Level.ALL) {
                p.add(new FoldBatchNorm());
                p.add(new FuseActivation());
                p.add(new FuseAddRelu());
            }
            p.add(new RemoveUnused());
        }
        return new GraphOptimizer(p);
    }

    /** {@link Level#ALL}. */
    public static GraphOptimizer standard() {
        return of(Level.ALL);
    }

    public List<GraphPass> passes() {
        return passes;
    }

    /** Runs every pass in order; the input graph is left unchanged. */
    public Optimized optimize(Graph graph) {
        Graph g = graph;
        List<PassReport> reports = new ArrayList<>();
        for (GraphPass pass : passes) {
            int before = g.nodes().size();
            PassResult r = pass.apply(g);
            g = r.graph();
            reports.add(new PassReport(pass.name(), r.changes(), before, g.nodes().size()));
        }
        return new Optimized(g, reports, graph.nodes().size());
    }
}
