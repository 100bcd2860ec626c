package dev.minnow.engine.io.onnx;

import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Rewrites the nodes of older opsets into their opset-13 form, the only form Minnow's ops know,
 * working on op types, input names and attributes alone (no op class is consulted). A rewritten
 * node (and every node it expands into) is then created as opset 13; an untouched node with the
 * model's opset.
 *
 * <table>
 * <caption>Rewrites, by the model's default-domain opset</caption>
 * <tr><th>op</th><th>opset</th><th>older form</th><th>opset-13 form</th></tr>
 * <tr><td>any</td><td>&lt; 6</td><td>{@code consumed_inputs} (an optimisation hint)</td><td>dropped</td></tr>
 * <tr><td>Add Sub Mul Div Pow And Or Xor Equal Greater Less</td><td>&lt; 7</td>
 *     <td>{@code broadcast=1}, optional {@code axis}: B aligned at A's dimension {@code axis}</td>
 *     <td>numpy broadcasting; when B does not reach A's last dimension, B gets trailing 1s (a
 *     reshaped initializer, or {@code Unsqueeze}); needs both ranks known</td></tr>
 * <tr><td>Gemm</td><td>&lt; 7</td><td>{@code broadcast}</td><td>dropped (always broadcasts)</td></tr>
 * <tr><td>Concat</td><td>&lt; 4</td><td>{@code axis} optional, default 1</td><td>{@code axis=1} explicit</td></tr>
 * <tr><td>Reshape</td><td>&lt; 5</td><td>{@code shape} attribute</td><td>int64 input 1</td></tr>
 * <tr><td>BatchNormalization</td><td>&lt; 9</td><td>{@code spatial} (must be 1), {@code is_test}</td><td>dropped</td></tr>
 * <tr><td>Slice</td><td>&lt; 10</td><td>{@code starts ends axes} attributes</td><td>int64 inputs 1, 2, 3</td></tr>
 * <tr><td>Clip</td><td>&lt; 11</td><td>{@code min max} attributes</td><td>float scalar inputs 1, 2</td></tr>
 * <tr><td>Pad</td><td>&lt; 11</td><td>{@code pads} (opset 1: {@code paddings}), {@code value}</td><td>int64 input 1, float input 2</td></tr>
 * <tr><td>Dropout</td><td>&lt; 12</td><td>{@code ratio}, {@code is_test}</td><td>float input 1; {@code is_test} dropped</td></tr>
 * <tr><td>Unsqueeze Squeeze ReduceSum</td><td>&lt; 13</td><td>{@code axes} attribute</td><td>int64 input 1</td></tr>
 * <tr><td>Split</td><td>&lt; 13</td><td>{@code split} attribute</td><td>int64 input 1</td></tr>
 * <tr><td>Split</td><td>&lt; 18</td><td>no lengths: equal parts, as many as the node has outputs</td>
 *     <td>{@code num_outputs} attribute (opset 18's name for it)</td></tr>
 * <tr><td>Softmax LogSoftmax Hardmax</td><td>&lt; 13</td>
 *     <td>input coerced to 2-D {@code [d0*..*d(axis-1), d(axis)*..*d(n-1)]}, normalised over the
 *     second dimension ({@code axis} default 1)</td>
 *     <td>when {@code axis} is the last dimension (rank known): the same op with {@code axis=-1};
 *     otherwise {@code s = Shape(x); f = Flatten(x, axis); g = Softmax(f, axis=-1); y = Reshape(g, s)}</td></tr>
 * </table>
 */
final class OpsetAdapter {
    /** The opset whose form Minnow's ops implement. */
    static final int CANONICAL_OPSET = 13;

    private static final Set<String> LEGACY_BROADCAST =
            Set.of("Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Greater", "Less");

    /** A node to create, with the opset its attributes follow. */
    record Adapted(OnnxProto.Node node, int opset) {
    }

    private final int opset;
    private final Function<String, String> freshName;
    private final Map<String, Integer> knownRanks;
    private final Map<String, Tensor> initializers;
    private final Map<String, Tensor> constants = new LinkedHashMap<>();

    /**
     * @param opset        the model's default-domain opset
     * @param freshName    returns an unused tensor or node name starting with its argument
     * @param knownRanks   ranks the file declares (inputs, initializers, value_info)
     * @param initializers the model's initializers (read only)
     */
    OpsetAdapter(int opset, Function<String, String> freshName, Map<String, Integer> knownRanks,
                 Map<String, Tensor> initializers) {
        this.opset = opset;
        this.freshName = freshName;
        this.knownRanks = knownRanks;
        this.initializers = initializers;
    }

    /** Initializers the rewrites created (attribute values turned into inputs). */
    Map<String, Tensor> constants() {
        return constants;
    }

    /**
     * The opset-13 form of a standard-domain node: itself, a rewritten node, or a few nodes
     * (constants they need go to {@link #constants()}).
     */
    List<Adapted> adapt(OnnxProto.Node n) throws ModelFormatException {
        if (!n.domain().isEmpty()) {
            return List.of(new Adapted(n, opset));
        }
        try {
            Attributes a = n.attributes();
            boolean dropped = opset < 6 && a.has("consumed_inputs");
            OnnxProto.Node node = dropped ? with(n, n.inputs(), without(a, "consumed_inputs")) : n;
            List<Adapted> r = rewrite(node, node.attributes());
            if (r != null) {
                return r;
            }
            return List.of(new Adapted(node, dropped ? CANONICAL_OPSET : opset));
        } catch (IllegalArgumentException ex) {
            throw new ModelFormatException("node '" + n.name() + "' (" + n.opType() + "): " + ex.getMessage(), ex);
        }
    }

    /** The rewritten node(s), or {@code null} when no rule applies. */
    private List<Adapted> rewrite(OnnxProto.Node n, Attributes a) throws ModelFormatException {
        String op = n.opType();
        if (opset < 7 && LEGACY_BROADCAST.contains(op) && (a.has("broadcast") || a.has("axis"))) {
            return legacyBroadcast(n, a);
        }
        if (opset < 7 && op.equals("Gemm") && a.has("broadcast")) {
            return one(with(n, n.inputs(), without(a, "broadcast")));
        }
        if (opset < 4 && op.equals("Concat") && !a.has("axis")) {
            return one(with(n, n.inputs(), Attributes.builder().set("axis", 1L).build()));
        }
        if (opset < 5 && op.equals("Reshape") && a.has("shape")) {
            return attributesToInputs(n, a, List.of("shape"), name -> longs(a, name));
        }
        if (opset < 9 && op.equals("BatchNormalization") && (a.has("spatial") || a.has("is_test"))) {
            if (a.getLong("spatial", 1) != 1) {
                throw new UnsupportedModelException("node '" + n.name() + "' (BatchNormalization): spatial="
                        + a.getLong("spatial", 1) + " (per-element statistics) is not supported; only spatial=1");
            }
            return one(with(n, n.inputs(), without(a, "spatial", "is_test")));
        }
        if (opset < 10 && op.equals("Slice")) {
            return attributesToInputs(n, a, List.of("starts", "ends", "axes"), name -> longs(a, name));
        }
        if (opset < 11 && op.equals("Clip")) {
            return attributesToInputs(n, a, List.of("min", "max"), name -> Tensor.scalar(a.getFloat(name, 0f)));
        }
        if (opset < 11 && op.equals("Pad")) {
            Attributes p = a.has("paddings") ? rename(a, "paddings", "pads") : a;
            return attributesToInputs(n, p, List.of("pads", "value"),
                    name -> name.equals("pads") ? longs(p, name) : Tensor.scalar(p.getFloat(name, 0f)));
        }
        if (opset < 12 && op.equals("Dropout")) {
            Attributes d = without(a, "is_test");
            return attributesToInputs(n, d, List.of("ratio"), name -> Tensor.scalar(d.getFloat(name, 0.5f)));
        }
        if (opset < 13 && (op.equals("Unsqueeze") || op.equals("Squeeze") || op.equals("ReduceSum"))) {
            return attributesToInputs(n, a, List.of("axes"), name -> longs(a, name));
        }
        if (op.equals("Split") && opset < 18 && !a.has("split") && !a.has("num_outputs")
                && (n.inputs().size() < 2 || n.inputs().get(1).isEmpty())) {
            // equal parts, counted by the node's outputs: opset 18 states it as num_outputs
            Attributes.Builder b = Attributes.builder();
            for (Map.Entry<String, Object> e : a.asMap().entrySet()) {
                if (!(e.getValue() instanceof Long l)) {
                    throw new ModelFormatException("node '" + n.name() + "' (Split): attribute '" + e.getKey()
                            + "' should be an integer");
                }
                b.set(e.getKey(), (long) l);
            }
            b.set("num_outputs", (long) n.outputs().size());
            return one(with(n, n.inputs().subList(0, 1), b.build()));
        }
        if (opset < 13 && op.equals("Split")) {
            return attributesToInputs(n, a, List.of("split"), name -> longs(a, name));
        }
        if (opset < 13 && (op.equals("Softmax") || op.equals("LogSoftmax") || op.equals("Hardmax"))) {
            return coercedTo2d(n, a);
        }
        return null;
    }

    /**
     * Moves the attributes {@code names} (in this order) to inputs 1, 2, ... of the node, as
     * constants; an absent attribute becomes an absent input ("") unless nothing follows it. A
     * node that already has those inputs is an error.
     */
    private List<Adapted> attributesToInputs(OnnxProto.Node n, Attributes a, List<String> names,
                                             Function<String, Tensor> value) throws ModelFormatException {
        if (names.stream().noneMatch(a::has)) {
            return a.equals(n.attributes()) ? null : one(with(n, n.inputs(), a));
        }
        if (n.inputs().size() != 1) {
            throw new ModelFormatException("node '" + n.name() + "' (" + n.opType() + "): has attributes " + names
                    + " and " + n.inputs().size() + " inputs; expected only the data input");
        }
        List<String> inputs = new ArrayList<>(n.inputs());
        int last = 0;
        for (int i = 0; i < names.size(); i++) {
            if (a.has(names.get(i))) {
                last = i;
            }
        }
        for (int i = 0; i <= last; i++) {
            String name = names.get(i);
            inputs.add(a.has(name) ? constant(n.name() + "_" + name, value.apply(name)) : "");
        }
        return one(with(n, inputs, without(a, names.toArray(new String[0]))));
    }

    private List<Adapted> legacyBroadcast(OnnxProto.Node n, Attributes a) throws ModelFormatException {
        Attributes rest = without(a, "broadcast", "axis");
        if (!a.has("axis") || a.getLong("broadcast", 0) == 0 || n.inputs().size() != 2) {
            return one(with(n, n.inputs(), rest));
        }
        String b = n.inputs().get(1);
        Integer rankA = knownRanks.get(n.inputs().get(0));
        Integer rankB = knownRanks.get(b);
        String who = "node '" + n.name() + "' (" + n.opType() + ")";
        long axis = a.getLong("axis", 0);
        if (rankA == null || rankB == null) {
            throw new UnsupportedModelException(who + ": legacy broadcasting with axis=" + axis
                    + " needs the ranks of both inputs, which the file does not declare");
        }
        long start = axis < 0 ? axis + rankA : axis;
        long trailing = rankA - start - rankB;
        if (start < 0 || trailing < 0) {
            throw new ModelFormatException(who + ": legacy broadcast axis " + axis + " does not fit input ranks "
                    + rankA + " and " + rankB);
        }
        if (trailing == 0) {
            return one(with(n, n.inputs(), rest));
        }
        Tensor init = initializers.get(b);
        if (init != null) {
            int[] dims = Arrays.copyOf(init.shape().dims(), rankB + (int) trailing);
            Arrays.fill(dims, rankB, dims.length, 1);
            String aligned = constant(b + "_aligned", init.reshape(Shape.of(dims)));
            return one(with(n, List.of(n.inputs().get(0), aligned), rest));
        }
        long[] axes = new long[(int) trailing];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = rankB + i;
        }
        String aligned = freshName.apply(b + "_aligned");
        String axesName = constant(n.name() + "_axes", Tensor.ofLongs(Shape.of(axes.length), axes));
        return List.of(
                node(freshName.apply(n.name() + "_unsqueeze"), "Unsqueeze", List.of(b, axesName), aligned, Attributes.empty()),
                new Adapted(with(n, List.of(n.inputs().get(0), aligned), rest), CANONICAL_OPSET));
    }

    /**
     * Softmax &amp; co. before opset 13. When the axis is known to be the last, opset 13 computes the
     * same with {@code axis=-1}; otherwise the 2-D coercion is spelled out with Shape, Flatten and
     * Reshape.
     */
    private List<Adapted> coercedTo2d(OnnxProto.Node n, Attributes a) throws ModelFormatException {
        a.requireOnly(n.opType(), "axis");
        long axis = a.getLong("axis", 1);
        Integer rank = n.inputs().size() == 1 ? knownRanks.get(n.inputs().get(0)) : null;
        Attributes last = Attributes.builder().set("axis", -1L).build();
        if (axis == -1 || rank != null && axis == rank - 1) {
            return one(with(n, n.inputs(), last));
        }
        if (n.inputs().size() != 1 || n.outputs().size() != 1) {
            throw new ModelFormatException("node '" + n.name() + "' (" + n.opType() + "): expected 1 input and 1 "
                    + "output, found " + n.inputs().size() + " and " + n.outputs().size());
        }
        String x = n.inputs().get(0);
        String shape = freshName.apply(n.name() + "_input_shape");
        String flat = freshName.apply(n.name() + "_2d_input");
        String normalised = freshName.apply(n.name() + "_2d_output");
        return List.of(
                node(freshName.apply(n.name() + "_shape"), "Shape", List.of(x), shape, Attributes.empty()),
                node(freshName.apply(n.name() + "_flatten"), "Flatten", List.of(x), flat,
                        Attributes.builder().set("axis", axis).build()),
                node(n.name(), n.opType(), List.of(flat), normalised, last),
                node(freshName.apply(n.name() + "_reshape"), "Reshape", List.of(normalised, shape), n.outputs().get(0),
                        Attributes.empty()));
    }

    private static List<Adapted> one(OnnxProto.Node n) {
        return List.of(new Adapted(n, CANONICAL_OPSET));
    }

    private static Adapted node(String name, String op, List<String> in, String out, Attributes a) {
        return new Adapted(new OnnxProto.Node(name, op, "", in, List.of(out), a), CANONICAL_OPSET);
    }

    private String constant(String prefix, Tensor value) {
        String name = freshName.apply(prefix);
        constants.put(name, value);
        return name;
    }

    private static Tensor longs(Attributes a, String name) {
        long[] v = a.getLongs(name, new long[0]);
        return Tensor.ofLongs(Shape.of(v.length), v);
    }

    private static OnnxProto.Node with(OnnxProto.Node n, List<String> inputs, Attributes a) {
        return new OnnxProto.Node(n.name(), n.opType(), n.domain(), inputs, n.outputs(), a);
    }

    /** {@code a} without the named attributes. */
    static Attributes without(Attributes a, String... names) {
        return copy(a, name -> Arrays.asList(names).contains(name) ? null : name);
    }

    private static Attributes rename(Attributes a, String from, String to) {
        return copy(a, name -> name.equals(from) ? to : name);
    }

    /** A copy whose names pass through {@code rename} ({@code null} drops the attribute). */
    private static Attributes copy(Attributes a, UnaryOperator<String> rename) {
        Attributes.Builder b = Attributes.builder();
        for (Map.Entry<String, Object> e : a.asMap().entrySet()) {
            String name = rename.apply(e.getKey());
            if (name == null) {
                continue;
            }
            Object v = e.getValue();
            if (v instanceof Long l) {
                b.set(name, (long) l);
            } else if (v instanceof Float f) {
                b.set(name, (float) f);
            } else if (v instanceof String s) {
                b.set(name, s);
            } else if (v instanceof Tensor t) {
                b.set(name, t);
            } else if (v instanceof long[] l) {
                b.set(name, l);
            } else if (v instanceof float[] f) {
                b.set(name, f);
            } else if (v instanceof String[] s) {
                b.set(name, s);
            }
        }
        return b.build();
    }
}
