package dev.minnow.compression.structured;

import dev.minnow.compression.fuse.RemoveUnused;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.ElementwiseBinary;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.Split;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes channel classes from a graph for real: every layer touched gets new, smaller weights,
 * and the result is an ordinary dense graph that plans, trains and exports like any other.
 * <ul>
 *   <li>Conv {@code W [C_out, C_in/G, k...]}: rows of removed output channels and columns of
 *       removed input channels go; a depthwise conv's group becomes its new channel count; a
 *       grouped conv keeps G and loses the same channels in every group.</li>
 *   <li>Gemm {@code W [N, K]} ({@code transB}, else {@code [K, N]}): removed neurons (N) and
 *       removed input features (K, {@code H*W} of them per removed channel behind a Flatten);
 *       the bias loses the removed neurons.</li>
 *   <li>BatchNormalization: the removed channels of scale, shift, mean and variance.</li>
 *   <li>Split: new lengths, the kept channels of each part.</li>
 * </ul>
 * The pruned graph computes exactly what the original computes when every removed channel is
 * replaced by zero where a layer reads it ({@link #mask}): a removed channel only ever reaches
 * the output through the weights of a consumer (a Conv or Gemm input), whose slice goes with it.
 */
public final class ChannelRemoval {
    private ChannelRemoval() {
    }

    /**
     * The graph without the given classes.
     *
     * <p>Layers the removal leaves alone keep their weight tensors: the result shares them with the
     * original, so training one trains both (copy the original first to keep it).
     *
     * @throws IllegalArgumentException when a class is fixed, or removing the classes would leave
     *         a tensor without channels (the message names it)
     */
    public static Graph remove(ChannelGroups groups, BitSet removed) {
        Set<Integer> emptied = check(groups, removed);
        Set<String> gone = new HashSet<>();
        for (int group : emptied) {
            gone.addAll(groups.groups().get(group).tensors());
        }
        Graph g = groups.graph();
        Graph.Builder b = g.toBuilder();
        for (Node n : g.nodes()) {
            if (n.op() instanceof ElementwiseBinary) {
                sliceChannelConstants(groups, n, removed, b);
                continue;
            }
            if (!isTraced(groups, n) || untouched(groups, n, removed) || touches(n, gone)) {
                continue;
            }
            if (n.op() instanceof Conv c) {
                String x = n.input(0);
                String y = n.output();
                int[] keepOut = groups.kept(y, removed);
                int[] keepIn = groups.kept(x, removed);
                int in = groups.channels(x);
                int group = c.group();
                int newGroup = group;
                Tensor w = g.initializer(n.input(1));
                Tensor w2;
                if (group == 1) {
                    w2 = slice(w, keepOut, keepIn);
                } else if (group == in) {
                    w2 = slice(w, keepOut, null);
                    newGroup = keepIn.length;
                } else {
                    w2 = slice(w, keepOut, firstGroup(keepIn, in / group));
                }
                b.initializer(n.input(1), w2);
                if (!n.input(2).isEmpty()) {
                    b.initializer(n.input(2), slice(g.initializer(n.input(2)), keepOut, null));
                }
                if (newGroup != group) {
                    b.replaceNode(n.withOp(new Conv(c.window(), newGroup, c.activation())));
                }
            } else if (n.op() instanceof Gemm gemm && isTraced(groups, n)) {
                int[] keepOut = groups.kept(n.output(), removed);
                int[] keepIn = groups.kept(n.input(0), removed);
                Tensor w = g.initializer(n.input(1));
                b.initializer(n.input(1), gemm.transB() ? slice(w, keepOut, keepIn) : slice(w, keepIn, keepOut));
                String biasName = n.input(2);
                if (!biasName.isEmpty() && g.initializer(biasName).size() > 1) {
                    Tensor bias = g.initializer(biasName);
                    b.initializer(biasName, bias.rank() == 1 ? slice(bias, keepOut, null) : slice(bias, null, keepOut));
                }
            } else if (n.op() instanceof BatchNormalization && isTraced(groups, n)) {
                int[] keep = groups.kept(n.input(0), removed);
                for (int i = 1; i <= 4; i++) {
                    b.initializer(n.input(i), slice(g.initializer(n.input(i)), keep, null));
                }
            } else if (n.op() instanceof Split && isTraced(groups, n) && !n.input(1).isEmpty()) {
                Tensor sizes = g.initializer(n.input(1));
                if (sizes != null) {
                    long[] lengths = new long[n.outputs().size()];
                    for (int i = 0; i < lengths.length; i++) {
                        lengths[i] = groups.kept(n.outputs().get(i), removed).length;
                    }
                    b.initializer(n.input(1), Tensor.ofLongs(sizes.shape(), lengths));
                }
            }
        }
        return emptied.isEmpty() ? b.build() : withoutBranches(groups, removed, emptied, gone, b);
    }

    /**
     * Replaces the exit of every emptied residual branch by its constant ({@link ResidualBranches})
     * and drops what nothing reads any more: the whole branch.
     */
    private static Graph withoutBranches(ChannelGroups groups, BitSet removed, Set<Integer> emptied, Set<String> gone,
                                         Graph.Builder b) {
        Graph g = groups.graph();
        Map<String, List<String>> addInputs = new HashMap<>();
        for (ResidualBranches.Exit e : ResidualBranches.exitsOf(groups, emptied)) {
            String name = b.freshName(e.add().name() + ".branch_constant");
            int[] keep = groups.kept(e.conv().output(), removed);
            b.initializer(name, ResidualBranches.constant(g, e, keep, groups.shape(e.add().output()).rank()));
            List<String> ins = addInputs.computeIfAbsent(e.add().name(), k -> new ArrayList<>(e.add().inputs()));
            ins.set(e.operand(), name);
            b.replaceNode(new Node(e.add().name(), e.add().op(), ins, e.add().outputs()));
        }
        Graph result = new RemoveUnused().apply(b.build()).graph();
        for (Node n : result.nodes()) {
            if (touches(n, gone)) {
                throw new IllegalStateException("node " + n.describe() + " still reads a removed residual branch");
            }
        }
        return result;
    }

    /** Whether a node reads or writes one of these tensors. */
    private static boolean touches(Node n, Set<String> tensors) {
        for (String t : n.inputs()) {
            if (tensors.contains(t)) {
                return true;
            }
        }
        for (String t : n.outputs()) {
            if (tensors.contains(t)) {
                return true;
            }
        }
        return false;
    }

    /** An Add, Sub, Mul or Div with a per-channel constant {@code [1, C, 1, ...]} operand: that constant loses the removed channels. */
    private static void sliceChannelConstants(ChannelGroups groups, Node n, BitSet removed, Graph.Builder b) {
        String y = n.output();
        if (!groups.isTracked(y)) {
            return;
        }
        int channels = groups.channels(y);
        int[] keep = groups.kept(y, removed);
        if (keep.length == channels) {
            return;
        }
        for (String in : n.inputs()) {
            Tensor init = groups.graph().initializer(in);
            if (init != null && init.rank() >= 2 && init.size() == channels && init.shape().dim(1) == channels) {
                b.initializer(in, slice(init, null, keep));
            }
        }
    }

    /**
     * The original graph (weights copied) with the removed channels zeroed where they are
     * consumed: the columns of Conv and Gemm weights that read them. This is what removal must
     * equal; the tests compare the two.
     */
    public static Graph mask(ChannelGroups groups, BitSet removed) {
        check(groups, removed);
        Graph g = groups.graph();
        Graph.Builder b = g.toBuilder();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Conv c && isTraced(groups, n) && !groups.isDepthwise(n)) {
                String x = n.input(0);
                int in = groups.channels(x);
                int perGroup = in / c.group();
                Tensor w = g.initializer(n.input(1)).copy();
                int out = w.shape().dim(0);
                int outPerGroup = out / c.group();
                int kernel = w.shape().sizeBetween(2, w.rank());
                boolean any = false;
                for (int ch = 0; ch < in; ch++) {
                    if (!removed.get(groups.classOf(x, ch))) {
                        continue;
                    }
                    any = true;
                    int grp = ch / perGroup;
                    int j = ch % perGroup;
                    for (int oc = grp * outPerGroup; oc < (grp + 1) * outPerGroup; oc++) {
                        for (int k = 0; k < kernel; k++) {
                            w.set(0f, flat(w.shape(), oc, j, k, kernel));
                        }
                    }
                }
                if (any) {
                    b.initializer(n.input(1), w);
                }
            } else if (n.op() instanceof Gemm gemm && isTraced(groups, n)) {
                String a = n.input(0);
                Tensor w = g.initializer(n.input(1)).copy();
                int rows = w.shape().dim(0);
                int cols = w.shape().dim(1);
                boolean any = false;
                for (int k = 0; k < groups.channels(a); k++) {
                    if (!removed.get(groups.classOf(a, k))) {
                        continue;
                    }
                    any = true;
                    if (gemm.transB()) {
                        for (int r = 0; r < rows; r++) {
                            w.set(0f, r, k);
                        }
                    } else {
                        for (int col = 0; col < cols; col++) {
                            w.set(0f, k, col);
                        }
                    }
                }
                if (any) {
                    b.initializer(n.input(1), w);
                }
            }
        }
        return b.build();
    }

    private static int[] flat(Shape s, int oc, int j, int k, int kernel) {
        int[] idx = new int[s.rank()];
        idx[0] = oc;
        idx[1] = j;
        int rest = k;
        for (int a = s.rank() - 1; a >= 2; a--) {
            idx[a] = rest % s.dim(a);
            rest /= s.dim(a);
        }
        return idx;
    }

    /** Whether the tracer followed this node's channels (it was not fixed for want of a rule). */
    private static boolean isTraced(ChannelGroups groups, Node n) {
        return groups.isTracked(n.input(0)) && groups.isTracked(n.output());
    }

    /** Whether removal leaves the node's input and output channels alone (then it keeps its weights). */
    private static boolean untouched(ChannelGroups groups, Node n, BitSet removed) {
        return groups.kept(n.input(0), removed).length == groups.channels(n.input(0))
                && groups.kept(n.output(), removed).length == groups.channels(n.output());
    }

    /** The kept channels of the first group, {@code j < perGroup}: the same in every group, by the tie. */
    private static int[] firstGroup(int[] keep, int perGroup) {
        int n = 0;
        while (n < keep.length && keep[n] < perGroup) {
            n++;
        }
        return java.util.Arrays.copyOf(keep, n);
    }

    /**
     * Checks the classes and returns the groups that lose every channel: allowed only for whole
     * residual branches ({@link ResidualBranches}).
     */
    private static Set<Integer> check(ChannelGroups groups, BitSet removed) {
        for (int c = removed.nextSetBit(0); c >= 0; c = removed.nextSetBit(c + 1)) {
            if (c >= groups.classes().size()) {
                throw new IllegalArgumentException("no channel class " + c + " (the graph has "
                        + groups.classes().size() + ")");
            }
            ChannelGroups.ChannelClass cc = groups.classes().get(c);
            if (!cc.prunable()) {
                throw new IllegalArgumentException("channel class " + c + " cannot be removed: " + cc.fixedReason());
            }
        }
        Set<Integer> emptied = new HashSet<>();
        Set<Integer> branches = null;
        for (String t : groups.tensors()) {
            if (groups.kept(t, removed).length > 0) {
                continue;
            }
            int group = groups.classes().get(groups.classOf(t, 0)).group();
            if (branches == null) {
                branches = ResidualBranches.branchGroups(groups);
            }
            boolean whole = true;
            for (int c : groups.groups().get(group).classes()) {
                whole &= removed.get(c);
            }
            if (!branches.contains(group) || !whole) {
                throw new IllegalArgumentException("removing these channels would leave tensor '" + t
                        + "' with no channels (shape " + groups.shape(t) + ")" + (branches.contains(group)
                        ? "; a residual branch can only go as a whole" : ""));
            }
            emptied.add(group);
        }
        return emptied;
    }

    /**
     * The sub-tensor keeping indices {@code keep0} of axis 0 and {@code keep1} of axis 1 ({@code
     * null}: all), trailing axes whole.
     */
    static Tensor slice(Tensor t, int[] keep0, int[] keep1) {
        Shape s = t.shape();
        int d0 = s.dim(0);
        int d1 = s.rank() > 1 ? s.dim(1) : 1;
        int inner = s.rank() > 2 ? s.sizeBetween(2, s.rank()) : 1;
        int[] k0 = keep0 != null ? keep0 : range(d0);
        int[] k1 = keep1 != null ? keep1 : range(d1);
        float[] src = t.toFloatArray();
        float[] dst = new float[k0.length * k1.length * inner];
        int o = 0;
        for (int i : k0) {
            for (int j : k1) {
                System.arraycopy(src, (i * d1 + j) * inner, dst, o, inner);
                o += inner;
            }
        }
        int[] dims = s.dims();
        dims[0] = k0.length;
        if (s.rank() > 1) {
            dims[1] = k1.length;
        }
        return Tensor.of(Shape.of(dims), dst);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
