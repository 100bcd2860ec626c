package dev.minnow.jmh;

import dev.minnow.compression.prune.MagnitudePruner;
import dev.minnow.compression.sparse.SparseInference;
import dev.minnow.engine.graph.Graph;

/**
 * The one-layer models of the sparse-inference benchmarks with their weight magnitude-pruned to a
 * sparsity (0 = dense, unchanged) and, when pruned, run through {@link SparseInference#sparsify}
 * with the thresholds forced to 0, so that the sparse op is measured whatever the pass would
 * choose.
 */
final class SparseLayers {

    private SparseLayers() {
    }

    static Graph pruned(Graph g, double sparsity) {
        if (sparsity == 0) {
            return g;
        }
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, sparsity));
        Graph sparse = SparseInference.sparsify(g, 0, 0);
        if (SparseInference.sparseNodes(sparse).size() != 1) {
            throw new IllegalStateException("expected exactly one sparse node in " + sparse);
        }
        return sparse;
    }
}
