package dev.minnow.compression.sparse;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.MatMul;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The graph pass that makes unstructured sparsity fast: every fully connected layer
 * ({@code Gemm} without transA, or {@code MatMul} by a constant 2-D matrix) and every
 * convolution (not depthwise) whose constant weight has at least the threshold's fraction of
 * zeros is replaced by its sparse twin ({@link SparseGemm}, {@link SparseConv}). Everything else
 * is unchanged. Pruning alone only zeroes weights — the dense kernels multiply by the zeros just
 * the same; this pass is where a pruned model gets faster.
 *
 * <p>The thresholds are where the sparse kernels start to beat the dense ones at batch 1
 * ({@code SparseFcBenchmark}, {@code SparseConvBenchmark}; docs/pruning.md). The result exports
 * as the dense graph (the sparse ops keep the dense op types and weights), so it can be saved and
 * shared like any other; {@link #densify} gives back the dense ops for training.
 */
public final class SparseInference {
    /**
     * Fully connected layers go sparse from this sparsity on. The sparse product reads a value and
     * a 4-byte column index per non-zero plus a gathered input, at about 1 ns per non-zero on the
     * development machine (one thread, sliced-ELLPACK kernel), against a dense product that streams
     * contiguous weights at memory speed. Measured at batch 1 (docs/pruning.md, section 6), the
     * sparse layer beats the dense Gemm op on all five benchmark shapes at 90 % (1.7x to 4.1x) but
     * not at 70 %: LeNet-300-100's 784 x 300 layer is still 0.6x there (1.3x to 2.1x on the others),
     * and at 50 % it loses on all but the two largest layers (0.4x to 1.1x).
     */
    public static final double FC_THRESHOLD = 0.9;
    /**
     * Convolutions go sparse from this sparsity on: the dense convolution is compute-bound and
     * runs near peak (and blocks several images into one GEMM at larger batches), so the sparse one
     * must skip most of the work to win.
     */
    public static final double CONV_THRESHOLD = 0.8;

    private SparseInference() {
    }

    /** {@link #sparsify(Graph, double, double)} with {@link #FC_THRESHOLD} and {@link #CONV_THRESHOLD}. */
    public static Graph sparsify(Graph g) {
        return sparsify(g, FC_THRESHOLD, CONV_THRESHOLD);
    }

    /**
     * Replaces each eligible layer whose weight sparsity is at least the threshold of its kind
     * (use a value above 1 to leave a kind dense).
     */
    public static Graph sparsify(Graph g, double fcThreshold, double convThreshold) {
        Graph.Builder b = g.toBuilder();
        for (Node n : g.nodes()) {
            Op sparse = sparseOpFor(g, n, fcThreshold, convThreshold);
            if (sparse != null) {
                b.replaceNode(n.withOp(sparse));
            }
        }
        return b.build();
    }

    /** The sparse ops of the graph, for reports: node name and the op. */
    public static List<Node> sparseNodes(Graph g) {
        List<Node> result = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof SparseGemm || n.op() instanceof SparseConv) {
                result.add(n);
            }
        }
        return result;
    }

    /** The graph with every sparse op replaced by the dense op it stands for (the weights never left). */
    public static Graph densify(Graph g) {
        Graph.Builder b = g.toBuilder();
        for (Node n : g.nodes()) {
            if (n.op() instanceof SparseGemm s) {
                b.replaceNode(n.withOp(s.dense()));
            } else if (n.op() instanceof SparseConv s) {
                b.replaceNode(n.withOp(s.dense()));
            }
        }
        return b.build();
    }

    /** Fraction of exact zeros of a float tensor. */
    public static double sparsity(Tensor t) {
        float[] d = t.data();
        long zeros = 0;
        for (int i = 0, n = t.size(); i < n; i++) {
            if (d[t.offset() + i] == 0f) {
                zeros++;
            }
        }
        return t.size() == 0 ? 0 : (double) zeros / t.size();
    }

    private static Op sparseOpFor(Graph g, Node n, double fcThreshold, double convThreshold) {
        Tensor w = n.inputs().size() > 1 ? g.initializer(n.input(1)) : null;
        if (w == null || w.type() != DataType.FLOAT) {
            return null;
        }
        if ((n.op() instanceof Gemm gemm && !gemm.transA()) || n.op() instanceof MatMul) {
            if (w.rank() == 2 && g.initializer(n.input(0)) == null && sparsity(w) >= fcThreshold) {
                return SparseGemm.of(n.op(), w);
            }
        } else if (n.op() instanceof Conv conv && conv.activation() == null) {
            // (a conv with a fused activation stays dense: the sparse kernel has no epilogue)
            boolean depthwise = w.shape().dim(1) == 1 && conv.group() > 1;
            if (w.rank() >= 3 && w.rank() <= 5 && !depthwise && sparsity(w) >= convThreshold) {
                return SparseConv.of(conv, w);
            }
        }
        return null;
    }
}
