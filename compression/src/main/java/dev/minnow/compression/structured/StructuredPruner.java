package dev.minnow.compression.structured;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Filter and neuron pruning that makes a network smaller and faster for real: choose which
 * channel classes of the {@link ChannelGroups} to remove, by a {@link ChannelRanking} score, then
 * remove them ({@link ChannelRemoval}).
 * <pre>{@code
 * StructuredPruner.Result r = StructuredPruner.byMacs(graph, 0.5, Allocation.UNIFORM);  // half the conv MACs
 * Graph smaller = r.graph();          // dense, smaller initializers; train, save, export as usual
 * }</pre>
 *
 * <p><b>How much to remove.</b> By a fraction of the classes of every group ({@link
 * #selectFraction}, "--filters 0.5": each group loses the same share, like Li et al.'s uniform
 * setting), or by a fraction of the convolutions' multiply-accumulates ({@link #selectForMacs}).
 * Removing a fraction f of a layer's outputs and of its inputs leaves {@code (1-f)^2} of its MACs,
 * so half the MACs goes with about 30 % of the filters of every layer. Two allocations:
 * <ul>
 *   <li>{@link Allocation#UNIFORM}: the same fraction in every group, the smallest that reaches
 *       the MAC target (found by bisection);</li>
 *   <li>{@link Allocation#GREEDY}: one ranking across all groups (the scores are normalised per
 *       layer), removing the lowest class anywhere until the target is reached, each tensor
 *       keeping at least a floor ({@code minKeep}) of its channels; layers whose filters are
 *       uniformly weak lose more, and the per-layer ratios come out of the ranking.</li>
 * </ul>
 * Selection never empties a tensor; a whole residual branch goes only when asked for
 * ({@link #residualBranches}, {@link #withWholeGroups}).
 */
public final class StructuredPruner {
    /** The default floor of the greedy allocation: every tensor keeps at least 10 % of its channels. */
    public static final double DEFAULT_MIN_KEEP = 0.1;

    /** How the MAC target is shared out among the groups. */
    public enum Allocation {
        UNIFORM, GREEDY;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A pruned graph and what it came from.
     *
     * @param groups         the dependency analysis of the original graph
     * @param removed        the removed classes (ids in {@code groups.classes()})
     * @param graph          the smaller graph
     * @param convMacsBefore convolution MACs of one image before
     * @param convMacsAfter  and after
     */
    public record Result(ChannelGroups groups, BitSet removed, Graph graph, long convMacsBefore, long convMacsAfter) {
        /** Fraction of the convolution MACs removed. */
        public double convMacReduction() {
            return convMacsBefore == 0 ? 0 : 1 - (double) convMacsAfter / convMacsBefore;
        }

        /** The original graph with the removed channels zeroed where they are read (equal outputs). */
        public Graph masked() {
            return ChannelRemoval.mask(groups, removed);
        }

        /** One line per layer whose filters or neurons were removed: name, before, after. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%-40s %8s %8s %7s%n", "layer", "outputs", "kept", "removed"));
            for (Node n : groups.graph().nodes()) {
                if (!(n.op() instanceof Conv || n.op() instanceof Gemm) || !groups.isTracked(n.output())) {
                    continue;
                }
                int all = groups.channels(n.output());
                int kept = groups.kept(n.output(), removed).length;
                sb.append(String.format(Locale.ROOT, "%-40s %8d %8d %6.1f%%%n", n.name(), all, kept,
                        100.0 * (all - kept) / all));
            }
            return sb.toString();
        }
    }

    private StructuredPruner() {
    }

    /** Removes the fraction of the filters of every group with the lowest L1 scores. */
    public static Result byFraction(Graph g, double fraction) {
        ChannelGroups groups = ChannelGroups.of(g);
        return prune(groups, selectFraction(groups, ChannelRanking.l1(groups), fraction));
    }

    /** Removes (at least) the fraction {@code macFraction} of the convolution MACs, ranked by L1. */
    public static Result byMacs(Graph g, double macFraction, Allocation allocation) {
        ChannelGroups groups = ChannelGroups.of(g);
        return prune(groups, selectForMacs(groups, ChannelRanking.l1(groups), macFraction, allocation, DEFAULT_MIN_KEEP, 1));
    }

    /** Removes the given classes and measures the result. */
    public static Result prune(ChannelGroups groups, BitSet removed) {
        Graph smaller = ChannelRemoval.remove(groups, removed);
        return new Result(groups, removed, smaller, groups.macsAfter(new BitSet(), true), groups.macsAfter(removed, true));
    }

    /**
     * In every group, the {@code floor(fraction * n)} prunable classes of lowest score (of the
     * group's n prunable classes), skipping any whose removal would empty a tensor.
     */
    public static BitSet selectFraction(ChannelGroups groups, double[] scores, double fraction) {
        return selectFraction(groups, scores, fraction, 1);
    }

    /**
     * As {@link #selectFraction(ChannelGroups, double[], double)}, rounding the number of classes
     * each group keeps up to a multiple of {@code multiple} (vector kernels run best on channel
     * counts that fill whole registers: 8 floats in AVX2).
     */
    public static BitSet selectFraction(ChannelGroups groups, double[] scores, double fraction, int multiple) {
        requireFraction(fraction, "fraction of filters");
        if (multiple < 1) {
            throw new IllegalArgumentException("the channel multiple must be >= 1, got " + multiple);
        }
        Budget budget = new Budget(groups, 0);
        for (ChannelGroups.Group group : groups.groups()) {
            List<Integer> candidates = new ArrayList<>();
            for (int c : group.classes()) {
                if (groups.classes().get(c).prunable()) {
                    candidates.add(c);
                }
            }
            candidates.sort(Comparator.comparingDouble((Integer c) -> scores[c]).thenComparingInt(c -> c));
            int target = (int) Math.floor(fraction * candidates.size() + 1e-9);
            if (multiple > 1 && candidates.size() > multiple) {
                int keep = candidates.size() - target;
                keep = Math.min(candidates.size(), (keep + multiple - 1) / multiple * multiple);
                target = candidates.size() - keep;
            }
            int done = 0;
            for (int c : candidates) {
                if (done == target) {
                    break;
                }
                if (budget.canRemove(c)) {
                    budget.remove(c);
                    done++;
                }
            }
        }
        return budget.removed;
    }

    /**
     * Classes whose removal takes away at least {@code macFraction} of the convolution MACs (or as
     * much as the floors allow).
     *
     * @param minKeep  the greedy allocation's floor: each tensor keeps at least this fraction of its
     *                 channels (and always one)
     * @param multiple the uniform allocation keeps a multiple of this many classes per group (1: any)
     */
    public static BitSet selectForMacs(ChannelGroups groups, double[] scores, double macFraction, Allocation allocation,
                                       double minKeep, int multiple) {
        requireFraction(macFraction, "fraction of MACs");
        double before = new Budget(groups, 0).convMacs();
        if (before == 0 || macFraction == 0) {
            return new BitSet();
        }
        if (allocation == Allocation.UNIFORM) {
            double lo = 0;
            double hi = 1;
            BitSet best = selectFraction(groups, scores, 1, multiple);
            for (int i = 0; i < 30; i++) {
                double mid = (lo + hi) / 2;
                BitSet r = selectFraction(groups, scores, mid, multiple);
                if (1 - groups.macsAfter(r, true) / before >= macFraction) {
                    best = r;
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            return best;
        }
        requireFraction(minKeep, "minimum fraction kept");
        Budget budget = new Budget(groups, minKeep);
        List<Integer> order = new ArrayList<>();
        for (ChannelGroups.ChannelClass c : groups.classes()) {
            if (c.prunable()) {
                order.add(c.id());
            }
        }
        order.sort(Comparator.comparingDouble((Integer c) -> scores[c]).thenComparingInt(c -> c));
        for (int c : order) {
            if (1 - budget.convMacs() / before >= macFraction) {
                break;
            }
            if (budget.canRemove(c)) {
                budget.remove(c);
            }
        }
        return budget.removed;
    }

    /**
     * Ids of the groups that form the inside of a residual branch, which may go as a whole: the
     * block then reduces to its shortcut plus a per-channel constant ({@link ChannelRemoval}).
     */
    public static List<Integer> residualBranches(ChannelGroups groups) {
        List<Integer> ids = new ArrayList<>(ResidualBranches.branchGroups(groups));
        ids.sort(null);
        return ids;
    }

    /**
     * The {@code count} residual branches with the smallest gain ({@link ResidualBranches#gain}: BN
     * scale times filter norm of the branch's last convolution), weakest first.
     */
    public static List<Integer> weakestBranches(ChannelGroups groups, int count) {
        Map<Integer, Double> gain = new HashMap<>();
        java.util.Set<Integer> branches = ResidualBranches.branchGroups(groups);
        for (ResidualBranches.Exit e : ResidualBranches.exitsOf(groups, branches)) {
            int id = groups.classes().get(groups.classOf(e.conv().input(0), 0)).group();
            gain.merge(id, ResidualBranches.gain(groups.graph(), e), Math::max);
        }
        List<Integer> ids = new ArrayList<>(gain.keySet());
        ids.sort(Comparator.comparingDouble((Integer id) -> gain.get(id)).thenComparingInt(id -> id));
        return List.copyOf(ids.subList(0, Math.min(count, ids.size())));
    }

    /** {@code removed} plus every class of the given groups (a new set). */
    public static BitSet withWholeGroups(ChannelGroups groups, BitSet removed, java.util.Collection<Integer> groupIds) {
        BitSet r = (BitSet) removed.clone();
        for (int id : groupIds) {
            for (int c : groups.groups().get(id).classes()) {
                r.set(c);
            }
        }
        return r;
    }

    private static void requireFraction(double f, String what) {
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException("the " + what + " must be in [0, 1], got " + f);
        }
    }

    /**
     * The channels each tensor has left while classes are being chosen, the floors, and the
     * convolution MACs that follow from them.
     */
    private static final class Budget {
        private final ChannelGroups groups;
        private final Map<String, Integer> remaining = new HashMap<>();
        private final Map<String, Integer> floor = new HashMap<>();
        private final List<ConvCost> convs = new ArrayList<>();
        final BitSet removed = new BitSet();

        private record ConvCost(long macs, String x, String y, boolean depthwise) {
        }

        Budget(ChannelGroups groups, double minKeep) {
            this.groups = groups;
            for (String t : groups.tensors()) {
                int c = groups.channels(t);
                remaining.put(t, c);
                floor.put(t, Math.max(1, (int) Math.ceil(minKeep * c - 1e-9)));
            }
            for (Node n : groups.graph().nodes()) {
                if (n.op() instanceof Conv && groups.macs(n.name()) > 0) {
                    boolean traced = groups.isTracked(n.input(0)) && groups.isTracked(n.output());
                    convs.add(new ConvCost(groups.macs(n.name()), traced ? n.input(0) : null, traced ? n.output() : null,
                            traced && groups.isDepthwise(n)));
                }
            }
        }

        boolean canRemove(int c) {
            for (Map.Entry<String, int[]> e : groups.classes().get(c).positions().entrySet()) {
                if (remaining.get(e.getKey()) - e.getValue().length < floor.get(e.getKey())) {
                    return false;
                }
            }
            return true;
        }

        void remove(int c) {
            removed.set(c);
            for (Map.Entry<String, int[]> e : groups.classes().get(c).positions().entrySet()) {
                remaining.merge(e.getKey(), -e.getValue().length, Integer::sum);
            }
        }

        double convMacs() {
            double total = 0;
            for (ConvCost c : convs) {
                if (c.x() == null) {
                    total += c.macs();
                    continue;
                }
                double out = (double) remaining.get(c.y()) / groups.channels(c.y());
                double in = c.depthwise() ? 1 : (double) remaining.get(c.x()) / groups.channels(c.x());
                total += c.macs() * out * in;
            }
            return total;
        }
    }
}
