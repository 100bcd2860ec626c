package dev.minnow.compression.structured;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.AveragePool;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.ChannelShuffle;
import dev.minnow.engine.op.Clip;
import dev.minnow.engine.op.Concat;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Dropout;
import dev.minnow.engine.op.ElementwiseBinary;
import dev.minnow.engine.op.Flatten;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.GlobalAveragePool;
import dev.minnow.engine.op.GlobalMaxPool;
import dev.minnow.engine.op.Identity;
import dev.minnow.engine.op.LeakyRelu;
import dev.minnow.engine.op.MaxPool;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.op.Sigmoid;
import dev.minnow.engine.op.Split;
import dev.minnow.engine.op.Tanh;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of {@link ChannelGroups}: one union-find over all channel positions, each op of the
 * graph tying the positions it must keep aligned. The rules, op by op:
 * <pre>
 *   BatchNormalization, Relu, Clip, LeakyRelu, Sigmoid, Tanh, Identity, Dropout,
 *   MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool      (x, c) ~ (y, c)
 *   Add, Sub, Mul, Div  (same shapes, or a scalar operand)      (a, c) ~ (b, c) ~ (y, c)
 *   Concat (axis 1)                                             (x_i, c) ~ (y, offset_i + c)
 *   Split (axis 1, lengths as a constant)                       (x, offset_i + c) ~ (y_i, c)
 *   ChannelShuffle (g groups of k)                              (x, i*k + j) ~ (y, j*g + i),
 *                                                               and (x, i*k + j) ~ (x, j) for every group i
 *   Flatten (axis 1), x [N, C, H, W] -> y [N, C*H*W]            (x, c) ~ (y, c*H*W + p) for every p
 *   Conv, group 1                                               none: y's channels are new (its filters)
 *   Conv, depthwise (group = C_in, C_out = m*C_in)              (x, c) ~ (y, c*m + r) for r &lt; m
 *   Conv, grouped (1 &lt; group &lt; C_in)                        (x, i*k + j) ~ (x, j), (y, i*k' + j) ~ (y, j)
 *   Gemm (A not transposed)                                      none: y's features are new (its neurons)
 * </pre>
 * Tying the j-th channel of every group is what keeps a shuffle or a grouped convolution valid:
 * each group loses the same channels, so the groups stay equal. Any other op fixes every position
 * of its inputs and outputs, with a reason naming the node.
 */
final class ChannelTracer {
    private final Graph graph;
    private final Plan plan;
    private final Map<String, Integer> base = new LinkedHashMap<>();
    private final Map<String, Integer> width = new HashMap<>();
    private int[] parent;
    private String[] fixed;
    private String[] source;

    ChannelTracer(Graph graph, Plan plan) {
        this.graph = graph;
        this.plan = plan;
    }

    ChannelGroups trace() {
        int total = 0;
        List<String> names = new ArrayList<>();
        for (GraphInput in : graph.inputs()) {
            names.add(in.name());
        }
        for (Node n : graph.nodes()) {
            for (String o : n.outputs()) {
                if (!o.isEmpty()) {
                    names.add(o);
                }
            }
        }
        Map<String, Shape> shapes = new HashMap<>();
        for (String t : names) {
            ValueInfo vi = plan.info(t);
            shapes.put(t, vi.shape());
            if (vi.type() == DataType.FLOAT && vi.shape().rank() >= 2 && !vi.isConstant()) {
                base.put(t, total);
                width.put(t, vi.shape().dim(1));
                total += vi.shape().dim(1);
            }
        }
        parent = new int[total];
        for (int i = 0; i < total; i++) {
            parent[i] = i;
        }
        fixed = new String[total];
        source = new String[total];
        for (GraphInput in : graph.inputs()) {
            fixAll(in.name(), "graph input '" + in.name() + "'");
        }
        for (String out : graph.outputs()) {
            fixAll(out, "graph output '" + out + "' (the model's interface)");
        }
        for (Node n : graph.nodes()) {
            rule(n);
        }
        return collect(shapes);
    }

    // ---- the rules --------------------------------------------------------------------------------

    private void rule(Node n) {
        Op op = n.op();
        if (op instanceof Conv c) {
            conv(n, c);
        } else if (op instanceof Gemm g) {
            gemm(n, g);
        } else if (op instanceof BatchNormalization) {
            for (int i = 1; i <= 4; i++) {
                if (!isOwnParameter(n.input(i), n)) {
                    fixNode(n, "its input '" + n.input(i) + "' is not a constant only it reads");
                    return;
                }
            }
            perChannel(n);
        } else if (op instanceof Clip) {
            for (int i = 1; i <= 2; i++) {
                String bound = n.input(i);
                if (!bound.isEmpty() && (graph.initializer(bound) == null || graph.initializer(bound).size() != 1)) {
                    fixNode(n, "a bound that is not a constant scalar");
                    return;
                }
            }
            perChannel(n);
        } else if (op instanceof Relu || op instanceof LeakyRelu || op instanceof Sigmoid || op instanceof Tanh
                || op instanceof Identity || op instanceof Dropout || op instanceof MaxPool || op instanceof AveragePool
                || op instanceof GlobalAveragePool || op instanceof GlobalMaxPool) {
            perChannel(n);
        } else if (op instanceof ElementwiseBinary e) {
            binary(n, e);
        } else if (op instanceof Concat cat) {
            concat(n, cat);
        } else if (op instanceof Split s) {
            split(n, s);
        } else if (op instanceof ChannelShuffle sh) {
            shuffle(n, sh);
        } else if (op instanceof Flatten f) {
            flatten(n, f);
        } else {
            fixNode(n, "the pruner has no channel rule for " + op.opType());
        }
    }

    private void conv(Node n, Conv c) {
        String x = n.input(0);
        String y = n.output();
        if (!tracked(x) || !tracked(y)) {
            fixNode(n, "its input or output has no channel axis the pruner tracks");
            return;
        }
        if (!isOwnParameter(n.input(1), n) || (!n.input(2).isEmpty() && !isOwnParameter(n.input(2), n))) {
            fixNode(n, "its weights are not constants only it reads");
            return;
        }
        int in = width.get(x);
        int out = width.get(y);
        int g = c.group();
        if (g == 1) {
            markSources(y, n);
        } else if (g == in) {
            int m = out / in;
            for (int ch = 0; ch < in; ch++) {
                for (int r = 0; r < m; r++) {
                    union(pos(x, ch), pos(y, ch * m + r));
                }
            }
            markSources(y, n);
        } else {
            tieAcrossGroups(x, g);
            tieAcrossGroups(y, g);
            markSources(y, n);
        }
    }

    private void gemm(Node n, Gemm g) {
        String a = n.input(0);
        String y = n.output();
        if (!tracked(a) || !tracked(y) || plan.info(a).shape().rank() != 2) {
            fixNode(n, "its input is not a tracked [N, K] activation");
            return;
        }
        if (g.transA()) {
            fixNode(n, "transA = 1 (the pruner expects activations as rows)");
            return;
        }
        String w = n.input(1);
        if (!isOwnParameter(w, n) || graph.initializer(w).rank() != 2) {
            fixNode(n, "its weight is not a 2-D constant only it reads");
            return;
        }
        String c = n.input(2);
        if (!c.isEmpty()) {
            Tensor bias = graph.initializer(c);
            int units = width.get(y);
            if (!isOwnParameter(c, n) || !(bias.size() == 1 || (bias.size() == units && bias.shape().dim(bias.rank() - 1) == units))) {
                fixNode(n, "its bias C is not a constant [N] or [1, N] only it reads");
                return;
            }
        }
        markSources(y, n);
    }

    private void perChannel(Node n) {
        String x = n.input(0);
        String y = n.output();
        if (n.outputs().size() > 1 && n.outputs().subList(1, n.outputs().size()).stream().anyMatch(o -> !o.isEmpty())) {
            fixNode(n, "it has a second output (indices or a mask) whose channels the pruner does not follow");
            return;
        }
        if (!tracked(x) || !tracked(y) || !width.get(x).equals(width.get(y))) {
            fixNode(n, "its input and output do not have the same channels");
            return;
        }
        same(x, y);
    }

    private void binary(Node n, ElementwiseBinary e) {
        String a = n.input(0);
        String b = n.input(1);
        String y = n.output();
        if (e.legacyBroadcastAxis().isPresent() || !tracked(y)) {
            fixNode(n, "a legacy broadcast or an output without channels");
            return;
        }
        Shape ys = plan.info(y).shape();
        List<String> operands = new ArrayList<>();
        for (String t : List.of(a, b)) {
            if (tracked(t) && plan.info(t).shape().equals(ys)) {
                operands.add(t);
            } else if (isChannelConstant(t, ys, n)) {
                continue;   // a per-channel constant [1, C, 1, ...]: removal slices it with y
            } else if (plan.info(t).shape().size() != 1) {
                fixNode(n, "operand '" + t + "' of shape " + plan.info(t).shape() + " broadcasts against " + ys);
                return;
            }
        }
        for (String t : operands) {
            same(t, y);
        }
    }

    private void concat(Node n, Concat c) {
        String y = n.output();
        if (!tracked(y) || Shape.normalizeAxis(c.axis(), plan.info(y).shape().rank()) != 1) {
            fixNode(n, "it concatenates along an axis other than the channels");
            return;
        }
        for (String x : n.inputs()) {
            if (!tracked(x)) {
                fixNode(n, "input '" + x + "' is a constant or has no channels");
                return;
            }
        }
        int offset = 0;
        for (String x : n.inputs()) {
            for (int ch = 0; ch < width.get(x); ch++) {
                union(pos(x, ch), pos(y, offset + ch));
            }
            offset += width.get(x);
        }
    }

    private void split(Node n, Split s) {
        String x = n.input(0);
        if (!tracked(x) || Shape.normalizeAxis(s.axis(), plan.info(x).shape().rank()) != 1) {
            fixNode(n, "it splits along an axis other than the channels");
            return;
        }
        if (s.numOutputs() > 0 || n.input(1).isEmpty() || !isOwnParameter(n.input(1), n)) {
            fixNode(n, "its lengths are not a constant only it reads (equal parts would not stay equal)");
            return;
        }
        int offset = 0;
        for (String y : n.outputs()) {
            if (y.isEmpty() || !tracked(y)) {
                fixNode(n, "an output without channels");
                return;
            }
            for (int ch = 0; ch < width.get(y); ch++) {
                union(pos(x, offset + ch), pos(y, ch));
            }
            offset += width.get(y);
        }
    }

    private void shuffle(Node n, ChannelShuffle s) {
        String x = n.input(0);
        String y = n.output();
        if (!tracked(x) || !tracked(y)) {
            fixNode(n, "its input or output has no tracked channels");
            return;
        }
        int g = s.group();
        int k = width.get(x) / g;
        tieAcrossGroups(x, g);
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < k; j++) {
                union(pos(x, i * k + j), pos(y, j * g + i));
            }
        }
    }

    private void flatten(Node n, Flatten f) {
        String x = n.input(0);
        String y = n.output();
        if (!tracked(x) || !tracked(y)) {
            fixNode(n, "its input or output has no tracked channels");
            return;
        }
        Shape xs = plan.info(x).shape();
        int axis = f.axis() < 0 ? f.axis() + xs.rank() : f.axis();
        if (axis != 1) {
            fixNode(n, "it flattens at axis " + f.axis() + ", not 1");
            return;
        }
        int plane = xs.sizeBetween(2, xs.rank());
        for (int c = 0; c < width.get(x); c++) {
            for (int p = 0; p < plane; p++) {
                union(pos(x, c), pos(y, c * plane + p));
            }
        }
    }

    // ---- union-find and bookkeeping ---------------------------------------------------------------

    private boolean tracked(String t) {
        return base.containsKey(t);
    }

    private int pos(String t, int c) {
        return base.get(t) + c;
    }

    /** A constant of shape [1, C, 1, ...] with y's rank and channels, read only by {@code n}. */
    private boolean isChannelConstant(String t, Shape ys, Node n) {
        Tensor c = graph.initializer(t);
        if (c == null || !isOwnParameter(t, n) || c.rank() != ys.rank() || c.shape().dim(1) != ys.dim(1)) {
            return false;
        }
        return c.size() == ys.dim(1);
    }

    /** True when {@code name} is an initializer that no node other than {@code n} reads. */
    private boolean isOwnParameter(String name, Node n) {
        if (name.isEmpty() || graph.initializer(name) == null) {
            return false;
        }
        for (Node reader : graph.consumers(name)) {
            if (reader != n) {
                return false;
            }
        }
        return !graph.outputs().contains(name);
    }

    private void same(String a, String b) {
        for (int c = 0; c < width.get(a); c++) {
            union(pos(a, c), pos(b, c));
        }
    }

    private void tieAcrossGroups(String t, int groups) {
        int k = width.get(t) / groups;
        for (int i = 1; i < groups; i++) {
            for (int j = 0; j < k; j++) {
                union(pos(t, j), pos(t, i * k + j));
            }
        }
    }

    private void markSources(String y, Node n) {
        for (int c = 0; c < width.get(y); c++) {
            source[pos(y, c)] = n.name();
        }
    }

    private void fixAll(String t, String reason) {
        if (!tracked(t)) {
            return;
        }
        for (int c = 0; c < width.get(t); c++) {
            int p = pos(t, c);
            if (fixed[p] == null) {
                fixed[p] = reason;
            }
        }
    }

    private void fixNode(Node n, String why) {
        String reason = "node " + n.describe() + ": " + why;
        for (String t : n.inputs()) {
            if (!t.isEmpty()) {
                fixAll(t, reason);
            }
        }
        for (String t : n.outputs()) {
            if (!t.isEmpty()) {
                fixAll(t, reason);
            }
        }
    }

    private int find(int p) {
        while (parent[p] != p) {
            parent[p] = parent[parent[p]];
            p = parent[p];
        }
        return p;
    }

    private void union(int p, int q) {
        int a = find(p);
        int b = find(q);
        if (a != b) {
            parent[Math.max(a, b)] = Math.min(a, b);
        }
    }

    // ---- the result -------------------------------------------------------------------------------

    private ChannelGroups collect(Map<String, Shape> shapes) {
        int total = parent.length;
        int[] classOfRoot = new int[total];
        java.util.Arrays.fill(classOfRoot, -1);
        int classes = 0;
        for (int p = 0; p < total; p++) {
            int r = find(p);
            if (classOfRoot[r] < 0) {
                classOfRoot[r] = classes++;
            }
        }
        String[] reason = new String[classes];
        List<Set<String>> sources = new ArrayList<>();
        List<Map<String, List<Integer>>> positions = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            sources.add(new LinkedHashSet<>());
            positions.add(new LinkedHashMap<>());
        }
        Map<String, int[]> classOfPosition = new LinkedHashMap<>();
        // tensor-level union-find: tensors sharing a class share a group
        List<String> tensors = new ArrayList<>(base.keySet());
        Map<String, Integer> tensorIndex = new HashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            tensorIndex.put(tensors.get(i), i);
        }
        int[] tensorParent = new int[tensors.size()];
        for (int i = 0; i < tensorParent.length; i++) {
            tensorParent[i] = i;
        }
        int[] firstTensorOfClass = new int[classes];
        java.util.Arrays.fill(firstTensorOfClass, -1);
        for (String t : tensors) {
            int w = width.get(t);
            int[] cls = new int[w];
            for (int ch = 0; ch < w; ch++) {
                int p = pos(t, ch);
                int c = classOfRoot[find(p)];
                cls[ch] = c;
                if (reason[c] == null && fixed[p] != null) {
                    reason[c] = fixed[p];
                }
                if (source[p] != null) {
                    sources.get(c).add(source[p]);
                }
                positions.get(c).computeIfAbsent(t, k -> new ArrayList<>()).add(ch);
                int ti = tensorIndex.get(t);
                if (firstTensorOfClass[c] < 0) {
                    firstTensorOfClass[c] = ti;
                } else {
                    int a = rootOf(tensorParent, firstTensorOfClass[c]);
                    int b = rootOf(tensorParent, ti);
                    if (a != b) {
                        tensorParent[Math.max(a, b)] = Math.min(a, b);
                    }
                }
            }
            classOfPosition.put(t, cls);
        }
        Map<Integer, Integer> groupOfRoot = new LinkedHashMap<>();
        List<List<String>> groupTensors = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            int r = rootOf(tensorParent, i);
            Integer gid = groupOfRoot.get(r);
            if (gid == null) {
                gid = groupTensors.size();
                groupOfRoot.put(r, gid);
                groupTensors.add(new ArrayList<>());
            }
            groupTensors.get(gid).add(tensors.get(i));
        }
        List<List<Integer>> groupClasses = new ArrayList<>();
        List<Set<String>> groupSources = new ArrayList<>();
        for (int g = 0; g < groupTensors.size(); g++) {
            groupClasses.add(new ArrayList<>());
            groupSources.add(new LinkedHashSet<>());
        }
        List<ChannelGroups.ChannelClass> result = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            int g = groupOfRoot.get(rootOf(tensorParent, firstTensorOfClass[c]));
            groupClasses.get(g).add(c);
            groupSources.get(g).addAll(sources.get(c));
            Map<String, int[]> pos = new LinkedHashMap<>();
            positions.get(c).forEach((t, l) -> pos.put(t, l.stream().mapToInt(Integer::intValue).toArray()));
            String why = reason[c];
            if (why == null && sources.get(c).isEmpty()) {
                why = "no convolution or fully connected layer produces these channels";
            }
            result.add(new ChannelGroups.ChannelClass(c, g, pos, List.copyOf(sources.get(c)), why));
        }
        List<ChannelGroups.Group> groups = new ArrayList<>();
        for (int g = 0; g < groupTensors.size(); g++) {
            groups.add(new ChannelGroups.Group(g, List.copyOf(groupTensors.get(g)), List.copyOf(groupClasses.get(g)),
                    List.copyOf(groupSources.get(g))));
        }
        Map<String, Long> macs = new HashMap<>();
        for (GraphSummary.NodeSummary row : GraphSummary.of(plan).nodes()) {
            macs.put(row.name(), row.macs());
        }
        return new ChannelGroups(graph, shapes, macs, tensors, classOfPosition, result, groups);
    }

    private static int rootOf(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
