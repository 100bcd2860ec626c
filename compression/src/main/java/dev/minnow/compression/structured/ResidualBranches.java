package dev.minnow.compression.structured;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Add;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whole residual branches that pruning may remove. In a residual block
 * {@code y = x + BN(Conv(t))}, where {@code t} is the inside of the branch, removing <em>every</em>
 * channel of {@code t} leaves the last convolution nothing to read: its output is its bias, a
 * constant per channel, and after the batch norm
 * <pre>
 *   k[c] = gamma[c] * (bias[c] - mean[c]) / sqrt(var[c] + epsilon) + beta[c]
 * </pre>
 * so the block reduces to its shortcut plus a constant, {@code y = x + k} (a {@code [1, C, 1, 1]}
 * initializer the Add broadcasts), and every layer inside the branch disappears. This is the
 * "removal of a whole layer" of structured pruning, exactly where shapes allow it (Veit, Wilber and
 * Belongie 2016, "Residual Networks Behave Like Ensembles of Relatively Shallow Networks", showed
 * that deleting a single block of a trained ResNet costs little).
 *
 * <p>A <b>branch group</b> is a group of {@link ChannelGroups} all of whose channels are prunable
 * and whose tensors are read, outside the group, only by such exit convolutions (group 1, a single
 * reader, optionally a batch norm with a single reader, then an Add).
 */
final class ResidualBranches {

    /** The end of a branch: {@code add.input(operand) = BN(conv(...))} or {@code conv(...)}. */
    record Exit(Node add, int operand, Node conv, Node bn) {
    }

    private ResidualBranches() {
    }

    /** Every exit of the graph, by the name of its convolution. */
    static Map<String, Exit> exits(Graph g) {
        Map<String, Exit> exits = new HashMap<>();
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof Add) || n.inputs().size() != 2) {
                continue;
            }
            for (int operand = 0; operand < 2; operand++) {
                Exit e = exitOf(g, n, operand);
                if (e != null) {
                    exits.put(e.conv().name(), e);
                }
            }
        }
        return exits;
    }

    private static Exit exitOf(Graph g, Node add, int operand) {
        String a = add.input(operand);
        Node p = g.producer(a);
        if (p == null || g.consumers(a).size() != 1 || g.outputs().contains(a)) {
            return null;
        }
        Node bn = null;
        if (p.op() instanceof BatchNormalization b && !b.trainingMode()) {
            bn = p;
            String inner = p.input(0);
            p = g.producer(inner);
            if (p == null || g.consumers(inner).size() != 1 || g.outputs().contains(inner)) {
                return null;
            }
        }
        if (!(p.op() instanceof Conv c) || c.group() != 1 || c.activation() != null
                || g.initializer(p.input(1)) == null) {
            return null;
        }
        if (!p.input(2).isEmpty() && g.initializer(p.input(2)) == null) {
            return null;
        }
        if (bn != null) {
            for (int i = 1; i <= 4; i++) {
                if (g.initializer(bn.input(i)) == null) {
                    return null;
                }
            }
        }
        return new Exit(add, operand, p, bn);
    }

    /** Ids of the branch groups (see the class comment). */
    static Set<Integer> branchGroups(ChannelGroups groups) {
        Graph g = groups.graph();
        Map<String, Exit> exits = exits(g);
        Set<Integer> result = new HashSet<>();
        for (ChannelGroups.Group group : groups.groups()) {
            if (isBranch(groups, g, group, exits)) {
                result.add(group.id());
            }
        }
        return result;
    }

    private static boolean isBranch(ChannelGroups groups, Graph g, ChannelGroups.Group group, Map<String, Exit> exits) {
        for (int c : group.classes()) {
            if (!groups.classes().get(c).prunable()) {
                return false;
            }
        }
        Set<String> inside = new HashSet<>(group.tensors());
        int exitCount = 0;
        for (String t : group.tensors()) {
            for (Node reader : g.consumers(t)) {
                boolean internal = !reader.outputs().isEmpty();
                for (String o : reader.outputs()) {
                    internal &= o.isEmpty() || inside.contains(o);
                }
                if (internal) {
                    continue;
                }
                Exit e = exits.get(reader.name());
                if (e == null || !reader.input(0).equals(t)) {
                    return false;
                }
                exitCount++;
            }
        }
        return exitCount > 0;
    }

    /**
     * The constant an exit produces once its convolution reads no channel, shaped to broadcast
     * against the Add's other operand ({@code [1, C, 1, ...]} of rank {@code rank}), keeping the
     * channels {@code keep} of the convolution's output.
     */
    static Tensor constant(Graph g, Exit e, int[] keep, int rank) {
        Tensor w = g.initializer(e.conv().input(1));
        int channels = w.shape().dim(0);
        double[] k = new double[channels];
        if (!e.conv().input(2).isEmpty()) {
            Tensor bias = g.initializer(e.conv().input(2));
            for (int c = 0; c < channels; c++) {
                k[c] = bias.get(c);
            }
        }
        if (e.bn() != null) {
            Tensor gamma = g.initializer(e.bn().input(1));
            Tensor beta = g.initializer(e.bn().input(2));
            Tensor mean = g.initializer(e.bn().input(3));
            Tensor var = g.initializer(e.bn().input(4));
            double eps = ((BatchNormalization) e.bn().op()).epsilon();
            for (int c = 0; c < channels; c++) {
                k[c] = gamma.get(c) * (k[c] - mean.get(c)) / Math.sqrt(var.get(c) + eps) + beta.get(c);
            }
        }
        int[] dims = new int[rank];
        java.util.Arrays.fill(dims, 1);
        dims[1] = keep.length;
        float[] v = new float[keep.length];
        for (int i = 0; i < keep.length; i++) {
            v[i] = (float) k[keep[i]];
        }
        return Tensor.of(Shape.of(dims), v);
    }

    /**
     * How strongly a branch's exit passes on what it reads: the mean over its output channels of
     * {@code |gamma_c| / sqrt(var_c + eps) * sum |W[c, ...]|}, the factor by which the last batch norm
     * scales the channel times the L1 norm of its filter. A branch whose batch norm drives its scale
     * towards zero contributes little to the sum it joins (Liu et al. 2017, "Learning Efficient
     * Convolutional Networks through Network Slimming", read BN's gamma as channel importance).
     */
    static double gain(Graph g, Exit e) {
        Tensor w = g.initializer(e.conv().input(1));
        int channels = w.shape().dim(0);
        int per = w.size() / channels;
        double total = 0;
        for (int c = 0; c < channels; c++) {
            double l1 = 0;
            for (int i = 0; i < per; i++) {
                l1 += Math.abs(w.get(c * per + i));
            }
            double scale = 1;
            if (e.bn() != null) {
                double eps = ((BatchNormalization) e.bn().op()).epsilon();
                scale = Math.abs(g.initializer(e.bn().input(1)).get(c)) / Math.sqrt(g.initializer(e.bn().input(4)).get(c) + eps);
            }
            total += scale * l1;
        }
        return total / channels;
    }

    /** The exits whose convolution reads a tensor of one of these groups. */
    static List<Exit> exitsOf(ChannelGroups groups, Set<Integer> groupIds) {
        Map<String, Exit> exits = exits(groups.graph());
        List<Exit> result = new ArrayList<>();
        for (Exit e : exits.values()) {
            String in = e.conv().input(0);
            if (groups.isTracked(in) && groupIds.contains(groups.classes().get(groups.classOf(in, 0)).group())) {
                result.add(e);
            }
        }
        result.sort(java.util.Comparator.comparing(e -> e.conv().name()));
        return result;
    }
}
