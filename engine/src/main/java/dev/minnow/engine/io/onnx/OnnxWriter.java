package dev.minnow.engine.io.onnx;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.AtomicFile;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.op.Activation;
import dev.minnow.engine.op.Add;
import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.OpRegistry;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Graph} as an ONNX model (IR version 8, default-domain opset 13, producer
 * "minnow") that ONNX's checker accepts and ONNX Runtime runs.
 *
 * <p>Initializers are stored as {@code raw_data}; node attributes come from
 * {@link dev.minnow.engine.op.Op#attributes()} (Long to INT, Float to FLOAT, String to STRING,
 * Tensor to TENSOR, long[] to INTS, float[] to FLOATS, String[] to STRINGS). Graph inputs carry
 * their type and shape (an unknown batch becomes the symbol {@code "N"}, other unknown dimensions
 * {@code "d2"}, {@code "d3"}...); outputs carry their
 * element type and, when the graph can be planned (unknown dimensions taken as 1), their shape.
 *
 * <p>Minnow's native ops are lowered to standard ONNX where an equivalent exists, so that other
 * runtimes can execute the file:
 * <pre>
 *   ChannelShuffle(x [N, C, H, W], group g)  =
 *       Reshape(x, [0, g, C/g, -1]) -&gt; Transpose(perm [0, 2, 1, 3]) -&gt; Reshape(., [0, C, H, W])
 *   FusedConv / FusedGemm / FusedAdd  =  Conv / Gemm / Add, then Relu, Clip or LeakyRelu
 * </pre>
 * Native ops without such a lowering stay in domain {@value OpRegistry#NATIVE_DOMAIN} (version 1).
 */
public final class OnnxWriter {
    public static final long IR_VERSION = 8;
    public static final int OPSET = 13;
    public static final String PRODUCER = "minnow";

    private OnnxWriter() {
    }

    /**
     * Writes the model to {@code file} atomically: a temporary file in the same directory, then a
     * move over the target, so a failure never leaves a half-written file or destroys the old one.
     */
    public static void write(Graph g, Path file) throws IOException {
        AtomicFile.write(file, toBytes(g));
    }

    /** The ONNX file of a graph, with native ops lowered to standard ones where a lowering exists. */
    public static byte[] toBytes(Graph g) {
        return toBytes(g, Map.of(), true);
    }

    /**
     * The ONNX bytes of a graph with metadata ({@code metadata_props}); with
     * {@code lowerNativeOps = false} native ops stay in their own domain (Minnow's native format
     * keeps them, since Minnow runs them directly).
     */
    public static byte[] toBytes(Graph g, Map<String, String> metadata, boolean lowerNativeOps) {
        Plan plan = tryPlan(g, 1);
        boolean dynamic = g.inputs().stream().anyMatch(in -> !in.shape().isConcrete());
        Plan plan2 = plan != null && dynamic ? tryPlan(g, 2) : plan;
        Set<String> used = new HashSet<>();
        g.inputs().forEach(in -> used.add(in.name()));
        used.addAll(g.initializers().keySet());
        for (Node n : g.nodes()) {
            used.add(n.name());
            used.addAll(n.inputs());
            used.addAll(n.outputs());
        }

        ProtobufWriter graph = new ProtobufWriter();
        Map<String, Tensor> extraInitializers = new LinkedHashMap<>();
        boolean nativeOps = false;
        for (Node n : g.nodes()) {
            if (lowerNativeOps && n.op().domain().equals(OpRegistry.NATIVE_DOMAIN)
                    && n.op().opType().equals("ChannelShuffle")) {
                lowerChannelShuffle(n, plan, used, graph, extraInitializers);
                continue;
            }
            if (lowerNativeOps && n.op() instanceof Conv conv && conv.activation() != null) {
                lowerFused(n, "Conv", new Conv(conv.window(), conv.group()).attributes(), conv.activation(), used, graph,
                        extraInitializers);
                continue;
            }
            if (lowerNativeOps && n.op() instanceof Gemm gemm && gemm.activation() != null) {
                lowerFused(n, "Gemm", gemm.withoutActivation().attributes(), gemm.activation(), used, graph,
                        extraInitializers);
                continue;
            }
            if (lowerNativeOps && n.op() instanceof Add add && add.hasRelu()) {
                lowerFused(n, "Add", Attributes.empty(), Activation.relu(), used, graph, extraInitializers);
                continue;
            }
            nativeOps |= !n.op().domain().isEmpty();
            graph.writeMessage(1, node(n.name(), n.op().opType(), n.op().domain(), n.inputs(), n.outputs(),
                    n.op().attributes()));
        }
        graph.writeString(2, g.name());
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            graph.writeMessage(5, OnnxTensors.encode(e.getKey(), e.getValue()));
        }
        for (Map.Entry<String, Tensor> e : extraInitializers.entrySet()) {
            graph.writeMessage(5, OnnxTensors.encode(e.getKey(), e.getValue()));
        }
        for (GraphInput in : g.inputs()) {
            graph.writeMessage(11, valueInfo(in.name(), in.type(), in.shape()));
        }
        for (String out : g.outputs()) {
            ValueInfo vi = plan != null ? plan.info(out) : null;
            Tensor init = g.initializer(out);
            DataType type = vi != null ? vi.type() : init != null ? init.type() : typeOfInput(g, out);
            graph.writeMessage(12, valueInfo(out, type, outputShape(vi, plan2 != null ? plan2.info(out) : null)));
        }

        ProtobufWriter model = new ProtobufWriter();
        model.writeVarint(1, IR_VERSION);
        model.writeString(2, PRODUCER);
        model.writeMessage(7, graph);
        model.writeMessage(8, new ProtobufWriter().writeString(1, "").writeVarint(2, OPSET));
        if (nativeOps) {
            model.writeMessage(8, new ProtobufWriter().writeString(1, OpRegistry.NATIVE_DOMAIN).writeVarint(2, 1));
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            model.writeMessage(14, new ProtobufWriter().writeString(1, e.getKey()).writeString(2, e.getValue()));
        }
        return model.toByteArray();
    }

    private static DataType typeOfInput(Graph g, String name) {
        for (GraphInput in : g.inputs()) {
            if (in.name().equals(name)) {
                return in.type();
            }
        }
        return DataType.FLOAT;
    }

    /**
     * The shape of an output as planned with unknown input dimensions 1 and 2: dimensions that
     * differ depend on them and are written as unknown; {@code null} when not planned.
     */
    private static Shape outputShape(ValueInfo with1, ValueInfo with2) {
        if (with1 == null || with2 == null || with1.shape().rank() != with2.shape().rank()) {
            return null;
        }
        int[] a = with1.shape().dims();
        int[] b = with2.shape().dims();
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                a[i] = Shape.UNKNOWN;
            }
        }
        return Shape.pattern(a);
    }

    /** A plan for the graph with every unknown input dimension taken as {@code unknownAs}, or {@code null}. */
    private static Plan tryPlan(Graph g, int unknownAs) {
        Map<String, Shape> shapes = new HashMap<>();
        for (GraphInput in : g.inputs()) {
            int[] d = in.shape().dims();
            for (int i = 0; i < d.length; i++) {
                if (d[i] == Shape.UNKNOWN) {
                    d[i] = unknownAs;
                }
            }
            shapes.put(in.name(), Shape.of(d));
        }
        try {
            return Plan.compile(g, shapes, PlanOptions.inference().withThreads(1));
        } catch (RuntimeException ex) {
            return null; // outputs are then written without shapes
        }
    }

    /**
     * A fused op (FusedConv, FusedGemm, FusedAdd) as standard ONNX: the plain op ({@code opType}
     * with {@code attributes}) writing a fresh tensor, then its activation node writing the fused
     * node's output.
     */
    private static void lowerFused(Node n, String opType, Attributes attributes, Activation act, Set<String> used,
                                   ProtobufWriter graph, Map<String, Tensor> initializers) {
        String pre = fresh(used, n.name() + "_preactivation");
        graph.writeMessage(1, node(n.name(), opType, "", n.inputs(), List.of(pre), attributes));
        String actName = fresh(used, n.name() + "_" + act.kind().toLowerCase(java.util.Locale.ROOT));
        switch (act.kind()) {
            case "Relu" -> graph.writeMessage(1, node(actName, "Relu", "", List.of(pre), List.of(n.output()),
                    Attributes.empty()));
            case "LeakyRelu" -> graph.writeMessage(1, node(actName, "LeakyRelu", "", List.of(pre), List.of(n.output()),
                    Attributes.builder().set("alpha", act.alpha()).build()));
            default -> {
                String min = fresh(used, actName + "_min");
                String max = fresh(used, actName + "_max");
                initializers.put(min, Tensor.scalar(act.lo()));
                initializers.put(max, Tensor.scalar(act.hi()));
                graph.writeMessage(1, node(actName, "Clip", "", List.of(pre, min, max), List.of(n.output()),
                        Attributes.empty()));
            }
        }
    }

    private static void lowerChannelShuffle(Node n, Plan plan, Set<String> used, ProtobufWriter graph,
                                            Map<String, Tensor> initializers) {
        long group = n.op().attributes().getLong("group", 0);
        Shape x = plan == null ? null : plan.info(n.input(0)).shape();
        if (x == null || x.rank() != 4) {
            throw new IllegalStateException("cannot export node " + n.describe() + " as standard ONNX: the shape of its "
                    + "input '" + n.input(0) + "' is " + (x == null ? "unknown (the graph cannot be planned)"
                    : x + ", not [N, C, H, W]"));
        }
        long c = x.dim(1);
        if (group <= 0 || c % group != 0) {
            throw new IllegalStateException("cannot export node " + n.describe() + ": group " + group
                    + " does not divide the " + c + " channels");
        }
        String split = fresh(used, n.name() + "_split_shape");
        String merge = fresh(used, n.name() + "_merge_shape");
        String grouped = fresh(used, n.name() + "_grouped");
        String transposed = fresh(used, n.name() + "_transposed");
        initializers.put(split, Tensor.ofLongs(Shape.of(4), 0, group, c / group, -1));
        initializers.put(merge, Tensor.ofLongs(Shape.of(4), 0, c, x.dim(2), x.dim(3)));
        graph.writeMessage(1, node(fresh(used, n.name() + "_split"), "Reshape", "", List.of(n.input(0), split),
                List.of(grouped), Attributes.empty()));
        graph.writeMessage(1, node(fresh(used, n.name() + "_transpose"), "Transpose", "", List.of(grouped),
                List.of(transposed), Attributes.builder().set("perm", new long[] {0, 2, 1, 3}).build()));
        graph.writeMessage(1, node(n.name(), "Reshape", "", List.of(transposed, merge), List.of(n.output()),
                Attributes.empty()));
    }

    private static String fresh(Set<String> used, String prefix) {
        String candidate = prefix;
        for (int i = 1; !used.add(candidate); i++) {
            candidate = prefix + "_" + i;
        }
        return candidate;
    }

    private static ProtobufWriter node(String name, String opType, String domain, List<String> inputs,
                                       List<String> outputs, Attributes attributes) {
        ProtobufWriter w = new ProtobufWriter();
        List<String> in = new ArrayList<>(inputs);
        while (!in.isEmpty() && in.get(in.size() - 1).isEmpty()) {
            in.remove(in.size() - 1); // trailing absent optional inputs are simply left out
        }
        for (String s : in) {
            w.writeString(1, s);
        }
        for (String s : outputs) {
            w.writeString(2, s);
        }
        w.writeString(3, name);
        w.writeString(4, opType);
        for (ProtobufWriter a : OnnxAttributes.encodeAll(attributes)) {
            w.writeMessage(5, a);
        }
        if (!domain.isEmpty()) {
            w.writeString(7, domain);
        }
        return w;
    }

    /**
     * A ValueInfoProto; {@code shape} may be null (unknown). An unknown dimension becomes a
     * symbol: "N" for the first (the batch), "d2", "d3"... for the others.
     */
    private static ProtobufWriter valueInfo(String name, DataType type, Shape shape) {
        ProtobufWriter tensorType = new ProtobufWriter().writeVarint(1, type.onnxCode());
        if (shape != null) {
            ProtobufWriter dims = new ProtobufWriter();
            int[] d = shape.dims();
            for (int i = 0; i < d.length; i++) {
                ProtobufWriter dim = new ProtobufWriter();
                if (d[i] == Shape.UNKNOWN) {
                    // one symbol per position: ONNX reads equal symbols as equal sizes
                    dim.writeString(2, i == 0 ? "N" : "d" + i);
                } else {
                    dim.writeVarint(1, d[i]);
                }
                dims.writeMessage(1, dim);
            }
            tensorType.writeMessage(2, dims);
        }
        ProtobufWriter typeProto = new ProtobufWriter().writeMessage(1, tensorType);
        return new ProtobufWriter().writeString(1, name).writeMessage(2, typeProto);
    }
}
