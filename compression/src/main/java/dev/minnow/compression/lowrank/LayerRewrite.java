package dev.minnow.compression.lowrank;

import dev.minnow.engine.graph.Node;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A decomposed layer before it goes into the graph: the chain of nodes that replaces it, the new
 * initializers they read, and what the decomposition found. {@link LowRankDecomposition} installs
 * it, or skips it when the chain would not be smaller than the layer.
 *
 * @param node          the name of the replaced node
 * @param replacement   the chain, first to last; the last writes the replaced node's outputs
 * @param initializers  new weights (and a copy of the bias) by name
 * @param dropped       initializers the replaced node read that may now be unread
 * @param method        "svd", "tucker2" or "cp"
 * @param ranks         {@code [k]} for SVD, {@code [R_in, R_out]} for Tucker-2, {@code [R]} for CP
 * @param relativeError {@code |W - W^|_F / |W|_F} of the approximated weights
 * @param keptEnergy    share of {@code sum sigma^2} kept (SVD; Tucker-2: the smaller of the two
 *                      modes), NaN for CP
 * @param iterations    ALS iterations (CP), Jacobi sweeps (SVD), 0 for Tucker-2
 * @param weightsBefore elements of the replaced weight (and bias)
 * @param weightsAfter  elements of the chain's weights (and bias)
 */
record LayerRewrite(String node, List<Node> replacement, Map<String, Tensor> initializers, List<String> dropped,
                    String method, int[] ranks, double relativeError, double keptEnergy, int iterations,
                    long weightsBefore, long weightsAfter) {
}
