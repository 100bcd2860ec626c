package dev.minnow.compression.rebirth;

import dev.minnow.compression.fuse.GraphEdits;
import dev.minnow.compression.fuse.GraphPass;
import dev.minnow.compression.fuse.PassResult;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.AveragePool;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Clip;
import dev.minnow.engine.op.Concat;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.LeakyRelu;
import dev.minnow.engine.op.MaxPool;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.op.SlidingWindow;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * DeepRebirth's <b>branch merging</b> (Li, Wang &amp; Kong 2018, "branch slimming"): in an Inception
 * module, the cheap-to-compute but costly-to-run branches, the 1x1 convolution and the pooling
 * branch (a 3x3 max pool, a non-tensor layer over the whole input, then a 1x1 projection), are
 * removed, and their output channels are taken over by the 3x3 and 5x5 branches, which become
 * wider. Their 1x1 reductions are narrowed (by {@code reduceFactor}, one half by default), so the
 * wide convolutions read fewer input channels:
 * <pre>
 *   before:  x -+-> 1x1 (b1) ---------------+            after:  x -+-> 1x1 (r2/2) -> 3x3 (b2 + b1) -+
 *               +-> 1x1 (r2) -> 3x3 (b2) ----+-> concat              +-> 1x1 (r3/2) -> 5x5 (b3 + b4) -+-> concat
 *               +-> 1x1 (r3) -> 5x5 (b3) ----+
 *               +-> maxpool 3x3/1 -> 1x1 (b4)+
 * </pre>
 * The module keeps its output width ({@code b1 + b2 + b3 + b4} channels), so the next layer still
 * fits, but it has two convolutions and one pool fewer, and fewer MACs (inception 3a of GoogLeNet:
 * 163 K MACs per pixel before, 106 K after). The 1x1 branch's channels go to the first
 * convolution branch, the pooling branch's to the last (the paper widens both). Every layer of the
 * two widened branches changes shape and starts from fresh weights ({@link FreshLayer}); batch
 * norms in them restart as the identity; the layers after the module keep theirs. Retraining
 * ({@link RebirthRetraining}) recovers the accuracy.
 *
 * <p>A module is recognised from its Concat (along channels): every input must come, through
 * single-reader chains of Conv, BatchNormalization, activation and pooling nodes, from the same
 * tensor, and each branch must be a 1x1 convolution, a pool then a 1x1 convolution, or a 1x1
 * reduction then a larger convolution; at least one of the last kind and one of the others.
 */
public final class BranchMerging implements GraphPass {
    private final long seed;
    private final double reduceFactor;
    private final Predicate<String> concats;

    /** Merges every Inception module, halving the reductions. */
    public BranchMerging(long seed) {
        this(seed, 0.5, name -> true);
    }

    /**
     * @param reduceFactor the new width of each 1x1 reduction as a fraction of the old, in (0, 1]
     * @param concats      the modules to merge, by the name of their Concat node
     */
    public BranchMerging(long seed, double reduceFactor, Predicate<String> concats) {
        if (!(reduceFactor > 0 && reduceFactor <= 1)) {
            throw new IllegalArgumentException("reduceFactor must be in (0, 1], got " + reduceFactor);
        }
        this.seed = seed;
        this.reduceFactor = reduceFactor;
        this.concats = concats;
    }

    @Override
    public String name() {
        return "branch-merging";
    }

    private enum Kind { ONE_BY_ONE, POOL_PROJECTION, CONV }

    /** One branch: its nodes in order, its kind and its convolutions. */
    private record Branch(List<Node> nodes, Kind kind, List<Node> convs) {
        String end() {
            return nodes.get(nodes.size() - 1).output();
        }
    }

    /** The names of the Concat nodes of the modules a merge would rewrite, in graph order. */
    public List<String> sites(Graph g) {
        List<String> r = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (module(g, n) != null) {
                r.add(n.name());
            }
        }
        return r;
    }

    @Override
    public PassResult apply(Graph graph) {
        Graph.Builder b = graph.toBuilder();
        List<String> changes = new ArrayList<>();
        Set<String> fresh = new HashSet<>();
        for (Node n : graph.nodes()) {
            List<Branch> branches = concats.test(n.name()) ? module(graph, n) : null;
            if (branches != null) {
                merge(graph, b, n, branches, changes, fresh);
            }
        }
        return new PassResult(changes.isEmpty() ? graph : b.build(), changes, fresh);
    }

    /** The branches of the module ending at {@code concat}, or null when it is not a mergeable module. */
    private static List<Branch> module(Graph g, Node concat) {
        if (!(concat.op() instanceof Concat c) || c.axis() != 1 || concat.inputs().size() < 2) {
            return null;
        }
        List<Branch> branches = new ArrayList<>();
        String source = null;
        for (String in : concat.inputs()) {
            List<Node> nodes = new ArrayList<>();
            String cur = in;
            Node reader = concat;
            while (true) {
                Node p = g.producer(cur);
                if (p == null || !isBranchOp(p.op()) || !GraphEdits.readOnlyBy(g, cur, reader)) {
                    return null;
                }
                nodes.add(p);
                String x = p.input(0);
                if (g.producer(x) == null || g.consumers(x).stream().map(Node::name).distinct().count() > 1) {
                    if (source != null && !source.equals(x)) {
                        return null;
                    }
                    source = x;
                    break;
                }
                cur = x;
                reader = p;
            }
            Collections.reverse(nodes);
            Branch br = classify(g, nodes);
            if (br == null) {
                return null;
            }
            branches.add(br);
        }
        boolean hasConv = branches.stream().anyMatch(br -> br.kind() == Kind.CONV);
        boolean hasOther = branches.stream().anyMatch(br -> br.kind() != Kind.CONV);
        return hasConv && hasOther ? branches : null;
    }

    private static boolean isBranchOp(Op op) {
        return op instanceof Conv || op instanceof BatchNormalization bn && !bn.trainingMode() || op instanceof Relu
                || op instanceof Clip || op instanceof LeakyRelu || op instanceof MaxPool || op instanceof AveragePool;
    }

    private static Branch classify(Graph g, List<Node> nodes) {
        List<Node> convs = new ArrayList<>();
        int pools = 0;
        for (Node n : nodes) {
            if (n.op() instanceof Conv c) {
                Tensor w = g.initializer(n.input(1));
                if (w == null || w.rank() != 4 || c.group() != 1 || c.window().autoPad() != SlidingWindow.AutoPad.NOTSET
                        || !n.input(2).isEmpty() && g.initializer(n.input(2)) == null) {
                    return null;
                }
                convs.add(n);
            } else if (n.op() instanceof MaxPool || n.op() instanceof AveragePool) {
                pools++;
            } else if (n.op() instanceof BatchNormalization) {
                for (int i = 1; i <= 4; i++) {
                    if (g.initializer(n.input(i)) == null) {
                        return null;
                    }
                }
            }
        }
        boolean first1x1 = !convs.isEmpty() && isPointwise(g, convs.get(0));
        if (pools == 0 && convs.size() == 1 && first1x1) {
            return new Branch(nodes, Kind.ONE_BY_ONE, convs);
        }
        boolean poolFirst = nodes.get(0).op() instanceof MaxPool || nodes.get(0).op() instanceof AveragePool;
        if (pools == 1 && poolFirst && convs.size() == 1 && first1x1) {
            return new Branch(nodes, Kind.POOL_PROJECTION, convs);
        }
        if (pools == 0 && convs.size() == 2 && first1x1 && !isPointwise(g, convs.get(1))) {
            return new Branch(nodes, Kind.CONV, convs);
        }
        return null;
    }

    private static boolean isPointwise(Graph g, Node conv) {
        Shape w = g.initializer(conv.input(1)).shape();
        Conv c = (Conv) conv.op();
        return w.dim(2) == 1 && w.dim(3) == 1 && c.window().stride(0) == 1 && c.window().stride(1) == 1;
    }

    private void merge(Graph g, Graph.Builder b, Node concat, List<Branch> branches, List<String> changes,
                       Set<String> fresh) {
        List<Branch> convBranches = branches.stream().filter(br -> br.kind() == Kind.CONV).toList();
        int[] extra = new int[convBranches.size()];
        List<String> removed = new ArrayList<>();
        for (Branch br : branches) {
            if (br.kind() == Kind.CONV) {
                continue;
            }
            int channels = g.initializer(br.convs().get(0).input(1)).shape().dim(0);
            extra[br.kind() == Kind.ONE_BY_ONE ? 0 : extra.length - 1] += channels;
            List<String> inits = new ArrayList<>();
            for (Node n : br.nodes()) {
                b.removeNode(n.name());
                inits.addAll(n.inputs().subList(1, n.inputs().size()));
            }
            GraphEdits.dropUnreadInitializers(b, inits);
            removed.add(br.convs().get(0).name() + (br.kind() == Kind.POOL_PROJECTION ? " (pool + 1x1, " : " (1x1, ")
                    + channels + " ch)");
        }
        List<String> widened = new ArrayList<>();
        for (int i = 0; i < convBranches.size(); i++) {
            widened.add(widen(g, b, convBranches.get(i), extra[i], fresh));
        }
        b.replaceNode(new Node(concat.name(), concat.op(), convBranches.stream().map(Branch::end).toList(),
                concat.outputs()));
        changes.add("module " + concat.name() + ": removed " + String.join(", ", removed) + "; "
                + String.join(", ", widened));
    }

    /** Rebuilds a reduce -> conv branch with {@code extra} more outputs and a narrower reduction; fresh weights. */
    private String widen(Graph g, Graph.Builder b, Branch br, int extra, Set<String> fresh) {
        Node reduce = br.convs().get(0);
        Node main = br.convs().get(1);
        Shape rw = g.initializer(reduce.input(1)).shape();
        Shape mw = g.initializer(main.input(1)).shape();
        int reduced = Math.max(1, (int) Math.round(rw.dim(0) * reduceFactor));
        int outputs = mw.dim(0) + extra;
        int width = reduced;   // channels flowing at this point of the branch
        for (Node n : br.nodes()) {
            List<String> ins = new ArrayList<>(n.inputs());
            FreshLayer init = new FreshLayer(seed, n.name());
            if (n == reduce || n == main) {
                int out = n == reduce ? reduced : outputs;
                int in = n == reduce ? rw.dim(1) : reduced;
                Shape w = n == reduce ? rw : mw;
                ins.set(1, put(g, b, n, n.input(1), "weight", init.convWeight(out, in, w.dim(2), w.dim(3)), fresh));
                if (!n.input(2).isEmpty()) {
                    ins.set(2, put(g, b, n, n.input(2), "bias", FreshLayer.zeros(out), fresh));
                }
                width = out;
            } else if (n.op() instanceof BatchNormalization) {
                String[] kinds = {"scale", "bias", "mean", "var"};
                for (int i = 1; i <= 4; i++) {
                    Tensor t = i == 1 || i == 4 ? FreshLayer.ones(width) : FreshLayer.zeros(width);
                    Set<String> trainable = i <= 2 ? fresh : new HashSet<>();
                    ins.set(i, put(g, b, n, n.input(i), kinds[i - 1], t, trainable));
                }
            }
            b.replaceNode(new Node(n.name(), n.op(), ins, n.outputs()));
        }
        return String.format(Locale.ROOT, "%s %dx%d: %d -> %d ch (reduce %s: %d -> %d ch)", main.name(), mw.dim(2),
                mw.dim(3), mw.dim(0), outputs, reduce.name(), rw.dim(0), reduced);
    }

    /** Stores a fresh tensor under the old name, or a new one when the old tensor is shared. */
    private static String put(Graph g, Graph.Builder b, Node n, String old, String kind, Tensor value, Set<String> fresh) {
        String name = GraphEdits.readElsewhere(g, old, n) ? b.freshName(n.name() + "." + kind) : old;
        b.initializer(name, value);
        fresh.add(name);
        return name;
    }
}
