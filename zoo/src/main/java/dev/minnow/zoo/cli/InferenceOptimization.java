package dev.minnow.zoo.cli;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.engine.graph.Graph;
import java.io.PrintStream;

/**
 * The exact graph optimisations every command that runs a model applies to it after loading
 * (batch norms folded into convolutions, activations fused, dropout removed, constants folded:
 * {@link GraphOptimizer}, docs/fusion.md), as ONNX Runtime does when it opens a model. The results
 * are the same within float rounding. {@code --no-optimize} runs the graph as loaded;
 * {@code --verbose} prints what each pass changed on stderr.
 */
final class InferenceOptimization {
    static final String FLAG = "no-optimize";
    static final String HELP = "run the graph as loaded, without the exact inference optimisations "
            + "(BN folding, activation fusion; docs/fusion.md)";

    private InferenceOptimization() {
    }

    /** The graph to run: optimised unless {@code --no-optimize}; logs the passes with {@code --verbose}. */
    static Graph apply(Graph graph, Args args, PrintStream err) {
        if (args.flag(FLAG)) {
            return graph;
        }
        GraphOptimizer.Optimized o = GraphOptimizer.standard().optimize(graph);
        if (args.verbose()) {
            err.println("minnow: optimised for inference: " + o.summary());
            for (String line : o.log()) {
                err.println("minnow:   " + line);
            }
        }
        return o.graph();
    }
}
