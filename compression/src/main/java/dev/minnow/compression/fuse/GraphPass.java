package dev.minnow.compression.fuse;

import dev.minnow.engine.graph.Graph;

/**
 * One transformation of a graph, {@code Graph -> Graph}: it finds a pattern (a BatchNormalization
 * after a convolution, a ReLU after an Add, a Dropout, ...), rewrites every occurrence, and says
 * what it changed, one line per rewrite. The input graph is never modified, nor any of its
 * tensors: a pass that changes weights makes new tensors.
 *
 * <p>The exact passes of {@link GraphOptimizer} keep the function the graph computes (outputs
 * equal within float rounding); the DeepRebirth passes of {@code dev.minnow.compression.rebirth}
 * change it and name the new parameters that retraining must learn.
 */
public interface GraphPass {

    /** A short name for logs, e.g. {@code fold-batchnorm}. */
    String name();

    /** Rewrites every occurrence of the pattern; an unchanged graph (and no changes) when none is found. */
    PassResult apply(Graph graph);
}
