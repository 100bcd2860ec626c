package dev.minnow.compression.rebirth;

import dev.minnow.compression.fuse.GraphEdits;
import dev.minnow.compression.fuse.GraphPass;
import dev.minnow.compression.fuse.PassResult;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.AveragePool;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Lrn;
import dev.minnow.engine.op.MaxPool;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.op.SlidingWindow;
import dev.minnow.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * DeepRebirth's <b>streamline merging</b> (Li, Wang &amp; Kong 2018, "DeepRebirth: Accelerating Deep
 * Neural Network Execution on Mobile Devices", "streamline slimming"): a convolution followed by
 * non-tensor layers, such as GoogLeNet's stem {@code conv1 -> relu -> pool 3x3/2 -> LRN}, becomes
 * one convolution:
 * <pre>
 *   conv (stride s) -> [BN] -> ReLU -> pool (stride p) -> [LRN]     ==>     conv (stride s * p) -> ReLU
 * </pre>
 * The pool's downsampling moves into the convolution's stride, so the convolution computes
 * {@code p^2} times fewer outputs and the pool, LRN and BN layers (memory-bound "non-tensor" layers
 * that the paper finds take a large share of a phone's CPU time) are gone. The merged layer keeps
 * its kernel, channels and output size (its padding is chosen so the output has the pool's size,
 * so everything downstream still fits) but computes a different function, so it starts from fresh
 * weights ({@link FreshLayer}) and is retrained, at ten times the learning rate of the rest
 * ({@link RebirthRetraining}).
 *
 * <p>The ReLU stays: in Minnow a ReLU is fused into the convolution's write for free
 * ({@code FusedConv}), so removing it would save nothing and lose the non-linearity between this
 * layer and the next. A chain is the convolution's output followed by ReLU, BatchNormalization,
 * LRN, MaxPool and AveragePool nodes, each the only reader of the previous tensor; it is merged
 * when it holds at least one pool or LRN (a conv with BN and ReLU alone is an exact fold, see
 * {@code FoldBatchNorm}).
 */
public final class StreamlineMerging implements GraphPass {
    private final long seed;
    private final Predicate<String> convs;

    /** Merges every chain; fresh weights drawn from {@code seed}. */
    public StreamlineMerging(long seed) {
        this(seed, name -> true);
    }

    /** Merges only the chains starting at convolutions whose node name {@code convs} accepts. */
    public StreamlineMerging(long seed, Predicate<String> convs) {
        this.seed = seed;
        this.convs = convs;
    }

    @Override
    public String name() {
        return "streamline-merging";
    }

    /** A convolution and the nodes after it that merge into it. */
    record Chain(Node conv, List<Node> nodes, int[] strides, Node relu) {
        String end() {
            return nodes.get(nodes.size() - 1).output();
        }
    }

    /** The names of the convolutions a merge would rewrite, in graph order. */
    public List<String> sites(Graph g) {
        Plan shapes = GraphEdits.shapes(g);
        List<String> r = new ArrayList<>();
        if (shapes == null) {
            return r;
        }
        for (Node n : g.nodes()) {
            Chain c = chainFrom(g, n);
            if (c != null && padsFor(c, shapes) != null) {
                r.add(n.name());
            }
        }
        return r;
    }

    @Override
    public PassResult apply(Graph graph) {
        Plan shapes = GraphEdits.shapes(graph);
        List<String> changes = new ArrayList<>();
        Set<String> fresh = new HashSet<>();
        if (shapes == null) {
            return new PassResult(graph, changes, fresh);
        }
        Graph.Builder b = graph.toBuilder();
        for (Node n : graph.nodes()) {
            Chain c = convs.test(n.name()) ? chainFrom(graph, n) : null;
            int[] pads = c == null ? null : padsFor(c, shapes);
            if (pads != null) {
                merge(graph, b, c, pads, changes, fresh);
            }
        }
        return new PassResult(changes.isEmpty() ? graph : b.build(), changes, fresh);
    }

    /** The mergeable chain after {@code conv}, or null. */
    private static Chain chainFrom(Graph g, Node conv) {
        if (!(conv.op() instanceof Conv c) || c.window().autoPad() != SlidingWindow.AutoPad.NOTSET
                || g.initializer(conv.input(1)) == null || g.initializer(conv.input(1)).rank() != 4) {
            return null;
        }
        List<Node> nodes = new ArrayList<>();
        int[] strides = {c.window().stride(0), c.window().stride(1)};
        boolean poolOrLrn = false;
        Node relu = null;
        String cur = conv.output();
        while (true) {
            Node next = GraphEdits.onlyReader(g, cur);
            if (next == null || !next.input(0).equals(cur)) {
                break;
            }
            Op op = next.op();
            SlidingWindow pool = op instanceof MaxPool m ? m.window() : op instanceof AveragePool a ? a.window() : null;
            if (pool != null) {
                if (pool.autoPad() != SlidingWindow.AutoPad.NOTSET || pool.kernel() == null || pool.kernel().length != 2
                        || next.outputs().size() > 1 && !next.outputs().get(1).isEmpty()) {
                    break;
                }
                strides[0] *= pool.stride(0);
                strides[1] *= pool.stride(1);
                poolOrLrn = true;
            } else if (op instanceof Lrn) {
                poolOrLrn = true;
            } else if (op instanceof Relu) {
                relu = relu == null ? next : relu;
            } else if (!(op instanceof BatchNormalization bn) || bn.trainingMode() || next.outputs().size() > 1) {
                break;
            }
            nodes.add(next);
            cur = next.output();
        }
        // trailing nodes that merge nothing (a lone ReLU after the last pool) end the chain early
        return poolOrLrn ? new Chain(conv, nodes, strides, relu) : null;
    }

    /**
     * Pads {@code [top, left, bottom, right]} that make the strided convolution produce the chain's
     * output size: the convolution's own pads when they do, else the smallest that do; null if none.
     */
    private static int[] padsFor(Chain c, Plan shapes) {
        Shape in = shapes.info(c.conv().input(0)).shape();
        Shape target = shapes.info(c.end()).shape();
        Shape w = shapes.info(c.conv().input(1)).shape();
        Conv conv = (Conv) c.conv().op();
        int[] own = conv.attributes().getInts("pads", new int[4]);
        int[] pads = new int[4];
        for (int axis = 0; axis < 2; axis++) {
            int extent = conv.window().dilation(axis) * (w.dim(2 + axis) - 1) + 1;
            int size = in.dim(2 + axis);
            int want = target.dim(2 + axis);
            int stride = c.strides()[axis];
            if (outSize(size, own[axis] + own[axis + 2], extent, stride) == want) {
                pads[axis] = own[axis];
                pads[axis + 2] = own[axis + 2];
                continue;
            }
            int total = -1;
            for (int p = 0; p <= 2 * (extent - 1); p++) {
                if (outSize(size, p, extent, stride) == want) {
                    total = p;
                    break;
                }
            }
            if (total < 0) {
                return null;
            }
            pads[axis] = total / 2;
            pads[axis + 2] = total - total / 2;
        }
        return pads;
    }

    private static int outSize(int in, int pad, int extent, int stride) {
        return in + pad < extent ? 0 : (in + pad - extent) / stride + 1;
    }

    private void merge(Graph g, Graph.Builder b, Chain c, int[] pads, List<String> changes, Set<String> fresh) {
        Node convNode = c.conv();
        Conv conv = (Conv) convNode.op();
        Shape w = g.initializer(convNode.input(1)).shape();
        SlidingWindow window = conv.window().withStrides(c.strides()).withPads(pads);
        Conv merged = new Conv(window, conv.group(), conv.activation());
        FreshLayer init = new FreshLayer(seed, convNode.name());
        String wName = GraphEdits.readElsewhere(g, convNode.input(1), convNode)
                ? b.freshName(convNode.name() + ".weight") : convNode.input(1);
        String bName = convNode.input(2).isEmpty() || GraphEdits.readElsewhere(g, convNode.input(2), convNode)
                ? b.freshName(convNode.name() + ".bias") : convNode.input(2);
        b.initializer(wName, init.convWeight(w.dim(0), w.dim(1), w.dim(2), w.dim(3)));
        b.initializer(bName, FreshLayer.zeros(w.dim(0)));
        fresh.add(wName);
        fresh.add(bName);
        List<String> removed = new ArrayList<>();
        for (Node n : c.nodes()) {
            if (n != c.relu()) {
                b.removeNode(n.name());
                removed.add(n.name() + " (" + n.op().opType() + ")");
            }
        }
        if (c.relu() == null) {
            b.replaceNode(new Node(convNode.name(), merged, List.of(convNode.input(0), wName, bName), List.of(c.end())));
        } else {
            b.replaceNode(new Node(convNode.name(), merged, List.of(convNode.input(0), wName, bName),
                    List.of(convNode.output())));
            b.replaceNode(new Node(c.relu().name(), c.relu().op(), List.of(convNode.output()), List.of(c.end())));
        }
        List<String> dropped = new ArrayList<>();
        for (Node n : c.nodes()) {
            if (n != c.relu()) {
                dropped.addAll(n.inputs().subList(1, n.inputs().size()));
            }
        }
        if (!wName.equals(convNode.input(1))) {
            dropped.add(convNode.input(1));
        }
        GraphEdits.dropUnreadInitializers(b, dropped);
        changes.add("merged " + String.join(", ", removed) + " into " + convNode.describe() + ": stride "
                + conv.window().stride(0) + " -> " + c.strides()[0] + ", pads " + Arrays.toString(pads)
                + ", fresh weights " + wName);
    }
}
