package dev.minnow.jmh;

import dev.minnow.compression.prune.MagnitudePruner;
import dev.minnow.compression.sparse.CsrMatrix;
import dev.minnow.compression.sparse.SparseConv;
import dev.minnow.compression.sparse.SparseGemm;
import dev.minnow.compression.sparse.SparseKernelProvider;
import dev.minnow.compression.sparse.SparseKernels;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.tensor.Tensor;

/**
 * The one-layer models of the sparse-inference benchmarks with their weight magnitude-pruned to a
 * sparsity (0 = dense, unchanged) and, when pruned, the layer replaced by its sparse op on the
 * named kernels ({@code vector} or {@code scalar} for every product, {@code auto} for the choice
 * {@code minnow} makes: {@code SparseKernelProvider}'s per product) whatever the sparsify pass's
 * thresholds.
 */
final class SparseLayers {

    private SparseLayers() {
    }

    static Graph pruned(Graph g, double sparsity, String kernels) {
        if (sparsity == 0) {
            return g;
        }
        boolean auto = kernels.equals("auto");
        SparseKernels k = auto ? SparseKernelProvider.kernels()
                : kernels.equals("scalar") ? SparseKernelProvider.scalar() : SparseKernelProvider.vectorOrNull();
        if (k == null) {
            throw new IllegalStateException("the vector sparse kernels need --add-modules=jdk.incubator.vector");
        }
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, sparsity));
        Graph.Builder b = g.toBuilder();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Gemm gemm) {
                CsrMatrix w = CsrMatrix.fromDense(g.initializer(n.input(1)));
                b.replaceNode(n.withOp(auto ? new SparseGemm(gemm, w) : new SparseGemm(gemm, w, k)));
            } else if (n.op() instanceof Conv conv) {
                Tensor w = g.initializer(n.input(1));
                b.replaceNode(n.withOp(new SparseConv(conv, w.shape(), CsrMatrix.fromDense(w), k)));
            }
        }
        return b.build();
    }
}
