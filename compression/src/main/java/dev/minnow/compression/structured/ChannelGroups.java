package dev.minnow.compression.structured;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which channels of a graph must disappear together when a filter is removed: the <em>dependency
 * groups</em> of structured pruning (Li et al. 2017, "Pruning Filters for Efficient ConvNets",
 * section 3.3; Fang et al. 2023, "DepGraph: Towards Any Structural Pruning").
 *
 * <p>Every channel of every activation tensor ({@code [N, C, ...]} or {@code [N, F]}, axis 1) is a
 * <em>position</em> {@code (tensor, c)}. The ops of the graph tie positions together
 * ({@link ChannelTracer} has the rules): a batch norm, a ReLU or a pooling ties {@code (x, c)} to
 * {@code (y, c)}; an Add ties channel c of both operands and of the sum (a ResNet shortcut makes
 * one class span every block of a stage); a Concat ties {@code (x_i, c)} to
 * {@code (y, offset_i + c)}; a Flatten ties {@code (x, c)} to the {@code H*W} features
 * {@code (y, c*H*W + p)}; a depthwise convolution ties its input channel to its output channels; a
 * channel shuffle or a grouped convolution ties the j-th channel of every group, so that every group
 * keeps the same number. The union-find classes of positions are the <b>channel classes</b>: each
 * one is a set of channels that can only be removed all at once. A normal convolution or a Gemm
 * starts fresh classes for its outputs (one per filter or neuron) and is a <em>consumer</em> of its
 * inputs (removing an input channel removes a slice of its weights).
 *
 * <p>A <b>group</b> is a connected set of tensors whose channels are tied: a conv's output with its
 * BN and ReLU and every reader; a whole ResNet stage; an Inception module's branches with their
 * concatenation. Pruning "30 % of a group" removes 30 % of its classes.
 *
 * <p>A class is <b>fixed</b> (never removed) when one of its positions is in a graph input or
 * output, or meets an op the tracer does not understand (LRN, Softmax, Reshape, a broadcast over
 * channels, a weight shared by two nodes ...); {@link ChannelClass#fixedReason()} says which. The
 * pruner never guesses: what it cannot prove correct stays.
 */
public final class ChannelGroups {

    /**
     * One class of channels that vanish together.
     *
     * @param id          index in {@link #classes()}
     * @param group       index of its group in {@link #groups()}
     * @param positions   tensor name to the channels of that tensor in this class
     * @param sources     nodes (Conv, Gemm) whose filters or neurons produce one of these channels
     * @param fixedReason why the class cannot be removed, or {@code null} when it can
     */
    public record ChannelClass(int id, int group, Map<String, int[]> positions, List<String> sources,
                               String fixedReason) {
        public boolean prunable() {
            return fixedReason == null;
        }
    }

    /**
     * Tensors whose channels are tied together.
     *
     * @param id      index in {@link #groups()}
     * @param tensors the tensors, in topological order of their producers
     * @param classes ids of its channel classes
     * @param sources the Conv and Gemm nodes producing its channels (the layers whose filters go)
     */
    public record Group(int id, List<String> tensors, List<Integer> classes, List<String> sources) {
    }

    private final Graph graph;
    private final Map<String, Shape> shapes;
    private final Map<String, Long> nodeMacs;
    private final List<String> tensors;
    private final Map<String, int[]> classOfPosition;
    private final List<ChannelClass> classes;
    private final List<Group> groups;

    ChannelGroups(Graph graph, Map<String, Shape> shapes, Map<String, Long> nodeMacs, List<String> tensors,
                  Map<String, int[]> classOfPosition, List<ChannelClass> classes, List<Group> groups) {
        this.graph = graph;
        this.shapes = Collections.unmodifiableMap(shapes);
        this.nodeMacs = Collections.unmodifiableMap(nodeMacs);
        this.tensors = List.copyOf(tensors);
        this.classOfPosition = classOfPosition;
        this.classes = List.copyOf(classes);
        this.groups = List.copyOf(groups);
    }

    /**
     * Traces the graph planned for its declared input shapes, an unknown (dynamic) batch taken as 1.
     *
     * @throws IllegalArgumentException when an input has an unknown size other than the batch
     */
    public static ChannelGroups of(Graph graph) {
        Map<String, Shape> inputs = new LinkedHashMap<>();
        for (GraphInput in : graph.inputs()) {
            int[] dims = in.shape().dims();
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] == Shape.UNKNOWN) {
                    if (i != 0) {
                        throw new IllegalArgumentException("input '" + in.name() + "' of graph '" + graph.name()
                                + "' has shape " + in.shape() + ": give concrete input shapes to trace its channels");
                    }
                    dims[i] = 1;
                }
            }
            inputs.put(in.name(), Shape.of(dims));
        }
        return of(graph, inputs);
    }

    /** Traces the graph planned for these input shapes. */
    public static ChannelGroups of(Graph graph, Map<String, Shape> inputShapes) {
        Plan plan = Plan.compile(graph, inputShapes, PlanOptions.inference().withThreads(1));
        return new ChannelTracer(graph, plan).trace();
    }

    public Graph graph() {
        return graph;
    }

    public List<ChannelClass> classes() {
        return classes;
    }

    public List<Group> groups() {
        return groups;
    }

    /** The activation tensors with channel positions, in topological order. */
    public List<String> tensors() {
        return tensors;
    }

    /** The planned shape of a tensor (batch as traced). */
    public Shape shape(String tensor) {
        return shapes.get(tensor);
    }

    /** Whether a tensor has traced channel positions (an activation of rank &gt;= 2). */
    public boolean isTracked(String tensor) {
        return classOfPosition.containsKey(tensor);
    }

    /** Channels (axis 1) of a traced tensor. */
    public int channels(String tensor) {
        int[] c = classOfPosition.get(tensor);
        if (c == null) {
            throw new IllegalArgumentException("tensor '" + tensor + "' has no traced channels (it is not an"
                    + " activation of rank >= 2 in graph '" + graph.name() + "')");
        }
        return c.length;
    }

    /** The class of channel {@code c} of a tensor. */
    public int classOf(String tensor, int channel) {
        int n = channels(tensor);
        if (channel < 0 || channel >= n) {
            throw new IllegalArgumentException("tensor '" + tensor + "' has " + n + " channels; no channel " + channel);
        }
        return classOfPosition.get(tensor)[channel];
    }

    /** MACs of one node at the traced batch, as {@link dev.minnow.engine.op.Op#macs} counts them. */
    public long macs(String node) {
        return nodeMacs.getOrDefault(node, 0L);
    }

    /** Number of classes that may be removed. */
    public int prunableClasses() {
        int n = 0;
        for (ChannelClass c : classes) {
            if (c.prunable()) {
                n++;
            }
        }
        return n;
    }

    /**
     * The channels of {@code tensor} that survive when the given classes are removed, ascending.
     */
    public int[] kept(String tensor, java.util.BitSet removed) {
        int[] cls = classOfPosition.get(tensor);
        int n = 0;
        for (int c : cls) {
            if (!removed.get(c)) {
                n++;
            }
        }
        int[] keep = new int[n];
        int k = 0;
        for (int i = 0; i < cls.length; i++) {
            if (!removed.get(cls[i])) {
                keep[k++] = i;
            }
        }
        return keep;
    }

    /** Whether a node is a depthwise convolution: group = input channels &gt; 1, one input channel per group. */
    boolean isDepthwise(Node n) {
        return n.op() instanceof Conv c && c.group() > 1 && c.group() == channels(n.input(0));
    }

    /**
     * Multiply-accumulates of the convolutions ({@code convOnly}) or of convolutions and Gemms
     * after removing the given classes. A convolution's MACs scale with its kept outputs and, unless
     * it is depthwise (one input per group whatever the width), its kept inputs:
     * <pre>
     *   macs' = macs * C_out'/C_out * (C_in'/G') / (C_in/G)
     * </pre>
     * and a Gemm's with {@code K'/K * N'/N}.
     */
    public long macsAfter(java.util.BitSet removed, boolean convOnly) {
        Map<String, Integer> keptCount = new HashMap<>();
        double total = 0;
        for (Node n : graph.nodes()) {
            long m = macs(n.name());
            if (m == 0) {
                continue;
            }
            boolean conv = n.op() instanceof Conv;
            boolean gemm = n.op() instanceof Gemm;
            if (!conv && !(gemm && !convOnly)) {
                continue;
            }
            String x = n.input(0);
            String y = n.output();
            if (!classOfPosition.containsKey(x) || !classOfPosition.containsKey(y)) {
                total += m;
                continue;
            }
            double outRatio = (double) count(keptCount, y, removed) / channels(y);
            double inRatio = conv && isDepthwise(n) ? 1 : (double) count(keptCount, x, removed) / channels(x);
            total += m * outRatio * inRatio;
        }
        return Math.round(total);
    }

    private int count(Map<String, Integer> cache, String tensor, java.util.BitSet removed) {
        return cache.computeIfAbsent(tensor, t -> kept(t, removed).length);
    }

    /** A table of the groups: tensors, classes (prunable of all), source layers. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(java.util.Locale.ROOT, "%-5s %-9s %-60s %s%n", "group", "channels", "layers (filters removed together)",
                "fixed because"));
        for (Group g : groups) {
            int prunable = 0;
            String reason = null;
            for (int c : g.classes()) {
                ChannelClass cc = classes.get(c);
                if (cc.prunable()) {
                    prunable++;
                } else if (reason == null) {
                    reason = cc.fixedReason();
                }
            }
            String layers = String.join(", ", g.sources());
            if (layers.length() > 60) {
                layers = layers.substring(0, 56) + " ...";
            }
            sb.append(String.format(java.util.Locale.ROOT, "%-5d %-9s %-60s %s%n", g.id(), prunable + "/" + g.classes().size(),
                    layers.isEmpty() ? "-" : layers, reason == null ? "" : reason));
        }
        return sb.toString();
    }

    /** Group ids of the groups that have at least one removable class. */
    public List<Integer> prunableGroups() {
        List<Integer> ids = new ArrayList<>();
        for (Group g : groups) {
            for (int c : g.classes()) {
                if (classes.get(c).prunable()) {
                    ids.add(g.id());
                    break;
                }
            }
        }
        return ids;
    }
}
