package dev.minnow.compression.quant;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Activation;
import dev.minnow.engine.op.Add;
import dev.minnow.engine.op.AveragePool;
import dev.minnow.engine.op.Clip;
import dev.minnow.engine.op.Concat;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.DequantizeLinear;
import dev.minnow.engine.op.Flatten;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.GlobalAveragePool;
import dev.minnow.engine.op.Identity;
import dev.minnow.engine.op.MaxPool;
import dev.minnow.engine.op.QGemm;
import dev.minnow.engine.op.QLinearAdd;
import dev.minnow.engine.op.QLinearAveragePool;
import dev.minnow.engine.op.QLinearConcat;
import dev.minnow.engine.op.QLinearConv;
import dev.minnow.engine.op.QLinearGlobalAveragePool;
import dev.minnow.engine.op.QuantizeLinear;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.op.Reshape;
import dev.minnow.engine.op.Squeeze;
import dev.minnow.engine.op.Unsqueeze;
import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a float inference graph (BN already folded) as an integer one, node by node, in the
 * QLinear form: {@code QuantizeLinear} on the input, then QLinearConv / QGemm / QLinearAdd /
 * QLinearConcat / QLinearAveragePool / QLinearGlobalAveragePool, max pooling and reshapes on the
 * 8-bit tensors themselves, and {@code DequantizeLinear} where a float value is needed (graph
 * outputs, ops with no integer form, which run in float between a DequantizeLinear and a
 * QuantizeLinear).
 *
 * <p>Every tensor keeps its name in float form and gets {@code name_quantized} in 8-bit form,
 * with initializers {@code name_scale} and {@code name_zero_point}. A ReLU (or a Clip from 0,
 * ReLU6) that is the only reader of a convolution, Gemm or Add disappears into it: the layer's
 * output range is the activation's, which starts at 0, so the zero point is the type's minimum
 * and saturation does the clamping.
 *
 * <p>Activation ranges come from {@link Ranges}; a dry run with {@link #requests} lists the tensors
 * that need one (and the weights that get quantized), so that calibration observes exactly those
 * and quantization-aware training fake-quantizes exactly those.
 */
final class Int8Conversion {

    /** The calibrated range of a float tensor. */
    interface Ranges {
        Range of(String tensor);
    }

    /** What a conversion reads: activation tensors to calibrate, weights to quantize (initializer to channel axis). */
    record Requests(List<String> activations, Map<String, Integer> weights) {
    }

    private record QTensor(String name, AffineQuantization params, String scale, String zero) {
    }

    private final Graph g;
    private final Map<String, Shape> shapes;
    private final Ranges ranges;
    private final boolean perChannel;
    private final boolean signedActivations;
    private final Graph.Builder out;
    private final Set<String> used = new HashSet<>();
    private final Map<String, QTensor> quantized = new HashMap<>();
    private final Set<String> floats = new HashSet<>();
    private final Set<String> absorbed = new HashSet<>();
    private final Set<String> requested = new LinkedHashSet<>();
    private final Map<String, Integer> weights = new LinkedHashMap<>();

    private Int8Conversion(Graph g, Map<String, Shape> shapes, Ranges ranges, boolean perChannel,
                           boolean signedActivations) {
        this.g = g;
        this.shapes = shapes;
        this.ranges = ranges;
        this.perChannel = perChannel;
        this.signedActivations = signedActivations;
        this.out = Graph.builder(g.name() + "_int8");
        for (GraphInput in : g.inputs()) {
            used.add(in.name());
        }
        used.addAll(g.initializers().keySet());
        for (Node n : g.nodes()) {
            used.add(n.name());
            used.addAll(n.inputs());
            used.addAll(n.outputs());
        }
    }

    /** The integer graph. */
    static Graph convert(Graph g, Map<String, Shape> shapes, Ranges ranges, boolean perChannel, boolean signedActivations) {
        return new Int8Conversion(g, shapes, ranges, perChannel, signedActivations).run();
    }

    /** The tensors and weights a conversion of {@code g} reads (a dry run). */
    static Requests requests(Graph g, Map<String, Shape> shapes, boolean perChannel) {
        Int8Conversion c = new Int8Conversion(g, shapes, t -> new Range(0f, 1f), perChannel, false);
        c.run();
        return new Requests(List.copyOf(c.requested), Map.copyOf(c.weights));
    }

    private Graph run() {
        for (GraphInput in : g.inputs()) {
            out.input(in.name(), in.type(), in.shape());
            floats.add(in.name());
        }
        for (Node n : g.nodes()) {
            if (!absorbed.contains(n.name())) {
                convertNode(n);
            }
        }
        for (String o : g.outputs()) {
            out.output(needFloat(o));
        }
        return out.build();
    }

    private void convertNode(Node n) {
        var op = n.op();
        if (op instanceof Conv c && convertible(c.activation()) && isInitializer(n.input(1))
                && (n.input(2).isEmpty() || isInitializer(n.input(2)))) {
            convertConv(n, c);
        } else if (op instanceof Gemm gm && convertible(gm.activation()) && gm.alpha() == 1f
                && (gm.beta() == 1f || n.input(2).isEmpty())
                && !gm.transA() && isInitializer(n.input(1)) && g.initializer(n.input(1)).rank() == 2
                && (n.input(2).isEmpty() || isBiasVector(n.input(2), g.initializer(n.input(1)), gm.transB()))
                && rank(n.input(0)) == 2) {
            convertGemm(n, gm);
        } else if (op instanceof Add && n.inputs().size() == 2 && sameShape(n.input(0), n.input(1))) {
            convertAdd(n);
        } else if (op instanceof Concat cc && n.inputs().stream().allMatch(quantized::containsKey)) {
            emitConcat(n, cc);
        } else if (op instanceof GlobalAveragePool && quantized.containsKey(n.input(0))) {
            emitPool(n, new QLinearGlobalAveragePool());
        } else if (op instanceof AveragePool ap && quantized.containsKey(n.input(0))) {
            emitPool(n, new QLinearAveragePool(ap.window(), ap.countIncludePad()));
        } else if (isPassThrough(n) && quantized.containsKey(n.input(0))) {
            emitPassThrough(n);
        } else {
            emitFloat(n);
        }
    }

    /** No fused activation, or a clamp from 0 (ReLU, ReLU6) that the output range's saturation applies. */
    private static boolean convertible(Activation a) {
        return a == null || (a.isClamp() && a.lo() == 0f);
    }

    /** Ops that move 8-bit values without arithmetic on them: max pooling and reshapes. */
    private boolean isPassThrough(Node n) {
        var op = n.op();
        boolean singleOutput = n.outputs().size() == 1 || n.outputs().subList(1, n.outputs().size()).stream()
                .allMatch(String::isEmpty);
        return singleOutput && (op instanceof MaxPool || op instanceof Flatten || op instanceof Reshape
                || op instanceof Squeeze || op instanceof Unsqueeze || op instanceof Identity);
    }

    // ---- converted layers ---------------------------------------------------------------------

    private void convertConv(Node n, Conv c) {
        QTensor x = needQuantized(n.input(0));
        Node act = absorbableActivation(n);
        String y = act == null ? n.output() : act.output();
        Tensor w = g.initializer(n.input(1));
        weights.put(n.input(1), perChannel ? 0 : -1);
        SymmetricWeights sw = SymmetricWeights.of(w, perChannel ? 0 : -1);
        QTensor yq = params(y);
        List<String> in = new ArrayList<>(List.of(x.name, x.scale, x.zero));
        in.addAll(weightInputs(n.input(1), sw));
        in.add(yq.scale);
        in.add(yq.zero);
        if (!n.input(2).isEmpty()) {
            in.add(bias(n.input(2), x.params.scale(), sw));
        }
        out.node(n.name(), new QLinearConv(c.window(), c.group()), in, List.of(yq.name));
        quantized.put(y, yq);
    }

    private void convertGemm(Node n, Gemm gm) {
        QTensor a = needQuantized(n.input(0));
        Node act = absorbableActivation(n);
        String y = act == null ? n.output() : act.output();
        int axis = perChannel ? (gm.transB() ? 0 : 1) : -1;
        weights.put(n.input(1), axis);
        SymmetricWeights sw = SymmetricWeights.of(g.initializer(n.input(1)), axis);
        QTensor yq = params(y);
        List<String> in = new ArrayList<>(List.of(a.name, a.scale, a.zero));
        in.addAll(weightInputs(n.input(1), sw));
        in.add(n.input(2).isEmpty() ? "" : bias(n.input(2), a.params.scale(), sw));
        in.add(yq.scale);
        in.add(yq.zero);
        out.node(n.name(), new QGemm(gm.transB()), in, List.of(yq.name));
        quantized.put(y, yq);
    }

    private void convertAdd(Node n) {
        QTensor a = needQuantized(n.input(0));
        QTensor b = needQuantized(n.input(1));
        Node act = absorbableActivation(n);
        String y = act == null ? n.output() : act.output();
        QTensor yq = params(y);
        out.node(n.name(), new QLinearAdd(), List.of(a.name, a.scale, a.zero, b.name, b.scale, b.zero, yq.scale, yq.zero),
                List.of(yq.name));
        quantized.put(y, yq);
    }

    private void emitConcat(Node n, Concat cc) {
        QTensor yq = params(n.output());
        List<String> in = new ArrayList<>(List.of(yq.scale, yq.zero));
        for (String x : n.inputs()) {
            QTensor q = quantized.get(x);
            in.addAll(List.of(q.name, q.scale, q.zero));
        }
        out.node(n.name(), new QLinearConcat(cc.axis()), in, List.of(yq.name));
        quantized.put(n.output(), yq);
    }

    private void emitPool(Node n, dev.minnow.engine.op.Op op) {
        QTensor x = quantized.get(n.input(0));
        QTensor yq = params(n.output());
        out.node(n.name(), op, List.of(x.name, x.scale, x.zero, yq.scale, yq.zero), List.of(yq.name));
        quantized.put(n.output(), yq);
    }

    /** The same op on the 8-bit tensor; the output keeps the input's parameters. */
    private void emitPassThrough(Node n) {
        QTensor x = quantized.get(n.input(0));
        List<String> in = new ArrayList<>();
        in.add(x.name);
        for (int i = 1; i < n.inputs().size(); i++) {
            in.add(n.input(i).isEmpty() ? "" : needFloat(n.input(i)));
        }
        String y = fresh(n.output() + "_quantized");
        List<String> outs = new ArrayList<>(List.of(y));
        for (int i = 1; i < n.outputs().size(); i++) {
            outs.add("");
        }
        out.node(n.name(), n.op(), in, outs);
        quantized.put(n.output(), new QTensor(y, x.params, x.scale, x.zero));
    }

    /** A node with no integer form: float inputs (dequantized where needed), float outputs. */
    private void emitFloat(Node n) {
        List<String> in = new ArrayList<>();
        for (String s : n.inputs()) {
            in.add(s.isEmpty() ? "" : needFloat(s));
        }
        out.node(n.name(), n.op(), in, n.outputs());
        for (String o : n.outputs()) {
            if (!o.isEmpty()) {
                floats.add(o);
            }
        }
    }

    // ---- tensors ------------------------------------------------------------------------------

    /** The 8-bit form of a tensor, quantizing its float form with its calibrated range if needed. */
    private QTensor needQuantized(String t) {
        QTensor q = quantized.get(t);
        if (q != null) {
            return q;
        }
        String f = needFloat(t);
        q = params(t);
        out.node(fresh(t + "_quantize"), new QuantizeLinear(), List.of(f, q.scale, q.zero), List.of(q.name));
        quantized.put(t, q);
        return q;
    }

    /** The float form of a tensor under its own name: an initializer, an existing float, or a DequantizeLinear. */
    private String needFloat(String t) {
        if (floats.contains(t)) {
            return t;
        }
        Tensor init = g.initializer(t);
        if (init != null) {
            out.initializer(t, init);
            floats.add(t);
            return t;
        }
        QTensor q = quantized.get(t);
        if (q == null) {
            throw new IllegalStateException("tensor '" + t + "' has neither a float nor a quantized form");
        }
        out.node(fresh(t + "_dequantize"), new DequantizeLinear(), List.of(q.name, q.scale, q.zero), List.of(t));
        floats.add(t);
        return t;
    }

    /** Names and parameter initializers for the 8-bit form of {@code t}, from its range. */
    private QTensor params(String t) {
        requested.add(t);
        AffineQuantization p = ranges.of(t).parameters(signedActivations);
        String scale = fresh(t + "_scale");
        String zero = fresh(t + "_zero_point");
        out.initializer(scale, Tensor.scalar(p.scale()));
        out.initializer(zero, Tensor.ofBytes(Shape.scalar(), signedActivations ? DataType.INT8 : DataType.UINT8,
                (byte) p.zeroPoint()));
        return new QTensor(fresh(t + "_quantized"), p, scale, zero);
    }

    private List<String> weightInputs(String name, SymmetricWeights sw) {
        String q = fresh(name + "_quantized");
        String s = fresh(name + "_scale");
        String z = fresh(name + "_zero_point");
        out.initializer(q, sw.values());
        out.initializer(s, sw.scaleTensor());
        out.initializer(z, sw.zeroPointTensor());
        return List.of(q, s, z);
    }

    /** The int32 bias at scale {@code S_x * S_w[c]}: {@code round(b[c] / (S_x S_w[c]))}. */
    private String bias(String name, float sx, SymmetricWeights sw) {
        Tensor b = g.initializer(name);
        int[] q = new int[b.size()];
        for (int c = 0; c < q.length; c++) {
            double v = Math.rint(b.get(c) / ((double) sx * sw.scale(c)));
            q[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
        }
        String n = fresh(name + "_quantized");
        out.initializer(n, Tensor.ofInts(Shape.of(q.length), q));
        return n;
    }

    /** The ReLU (or Clip from 0) that is the only reader of {@code n}'s output, now marked absorbed; else null. */
    private Node absorbableActivation(Node n) {
        if (g.outputs().contains(n.output())) {
            return null;
        }
        List<Node> readers = g.consumers(n.output());
        if (readers.size() != 1) {
            return null;
        }
        Node a = readers.get(0);
        boolean relu = a.op() instanceof Relu;
        boolean clipFromZero = a.op() instanceof Clip && isInitializer(a.input(1))
                && g.initializer(a.input(1)).toFloatArray()[0] == 0f
                && (a.input(2).isEmpty() || isInitializer(a.input(2)));
        if (!relu && !clipFromZero) {
            return null;
        }
        absorbed.add(a.name());
        return a;
    }

    private boolean isInitializer(String name) {
        return !name.isEmpty() && g.initializer(name) != null && g.initializer(name).type() == DataType.FLOAT;
    }

    private boolean isBiasVector(String name, Tensor w, boolean transB) {
        Tensor c = g.initializer(name);
        int n = transB ? w.shape().dim(0) : w.shape().dim(1);
        return c != null && c.type() == DataType.FLOAT && c.size() == n && c.rank() <= 2
                && (c.rank() < 2 || c.shape().dim(0) == 1);
    }

    private int rank(String t) {
        Shape s = shapes.get(t);
        return s == null ? -1 : s.rank();
    }

    private boolean sameShape(String a, String b) {
        Shape sa = shapes.get(a);
        return sa != null && sa.equals(shapes.get(b));
    }

    private String fresh(String prefix) {
        String c = prefix;
        for (int i = 1; !used.add(c); i++) {
            c = prefix + "_" + i;
        }
        return c;
    }
}
