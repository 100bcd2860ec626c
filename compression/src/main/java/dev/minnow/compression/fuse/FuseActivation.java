package dev.minnow.compression.fuse;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Activation;
import dev.minnow.engine.op.Clip;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.LeakyRelu;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuses an activation into the Conv or Gemm that produces its input: {@code Relu(Conv(x))}
 * becomes one FusedConv, {@code Relu(Gemm(x))} one FusedGemm ({@link Conv#withActivation},
 * {@link Gemm#withActivation}). ReLU and Clip (ReLU6: {@code min(max(y, lo), hi)} with constant
 * bounds) are clamps, which the convolution's GEMM applies in its final write; LeakyReLU
 * ({@code y < 0 ? alpha * y : y}) runs on the output while it is still in cache. Either way one
 * node, one intermediate tensor and one pass over memory disappear, and the result is bit for bit
 * the same (the same float operations in the same order).
 *
 * <p>Conditions: the producer has no activation yet and its output is read by the activation
 * alone and is not a graph output; a Clip's bounds are constant float scalars (an absent bound is
 * infinite).
 */
public final class FuseActivation implements GraphPass {

    @Override
    public String name() {
        return "fuse-activation";
    }

    /** Every match is disjoint from the others (the producer feeds the activation alone): one sweep. */
    @Override
    public PassResult apply(Graph graph) {
        Graph.Builder b = graph.toBuilder();
        List<String> changes = new ArrayList<>();
        for (Node act : graph.nodes()) {
            Activation activation = activationOf(graph, act);
            Node p = activation == null ? null : graph.producer(act.input(0));
            if (p == null || !GraphEdits.readOnlyBy(graph, act.input(0), act)) {
                continue;
            }
            Op fused = fused(p.op(), activation);
            if (fused == null) {
                continue;
            }
            b.removeNode(act.name());
            b.replaceNode(new Node(p.name(), fused, p.inputs(), List.of(act.output())));
            GraphEdits.dropUnreadInitializers(b, act.inputs().subList(1, act.inputs().size()));
            changes.add("fused " + act.describe() + " into " + p.describe() + " -> " + fused.opType());
        }
        return PassResult.exact(changes.isEmpty() ? graph : b.build(), changes);
    }

    /** The producer's op with the activation fused, or null when it is not a plain Conv or Gemm. */
    private static Op fused(Op producer, Activation activation) {
        if (producer instanceof Conv c && c.activation() == null) {
            return c.withActivation(activation);
        }
        if (producer instanceof Gemm gm && gm.activation() == null) {
            return gm.withActivation(activation);
        }
        return null;
    }

    /** What an activation node computes, as an {@link Activation}, or null when it is not one we fuse. */
    static Activation activationOf(Graph g, Node n) {
        if (n.op() instanceof Relu) {
            return Activation.relu();
        }
        if (n.op() instanceof LeakyRelu l) {
            return Activation.leakyRelu(l.alpha());
        }
        if (n.op() instanceof Clip) {
            float lo = Float.NEGATIVE_INFINITY;
            float hi = Float.POSITIVE_INFINITY;
            for (int i = 1; i <= 2; i++) {
                String bound = n.input(i);
                if (bound.isEmpty()) {
                    continue;
                }
                Tensor t = g.initializer(bound);
                if (t == null || t.type() != DataType.FLOAT || t.size() != 1) {
                    return null;
                }
                float v = GraphEdits.scalar(t);
                if (i == 1) {
                    lo = v;
                } else {
                    hi = v;
                }
            }
            return lo <= hi ? Activation.clip(lo, hi) : null;
        }
        return null;
    }
}
