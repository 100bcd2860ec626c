package dev.minnow.engine.io.onnx;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphException;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.OpRegistry;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX model ({@code .onnx}, a protobuf {@code ModelProto}) into a {@link Graph}, and
 * single tensors ({@code .pb}, a {@code TensorProto}, as in ONNX's test data).
 *
 * <p>What happens, in order:
 * <ol>
 * <li>the protobuf is decoded ({@link OnnxProto}, {@link OnnxTensors}, {@link OnnxAttributes}),
 *     every length checked against the bytes present;</li>
 * <li>the default-domain opset is read ({@value #MIN_OPSET}..{@value #MAX_OPSET} supported);</li>
 * <li>{@code Constant} nodes become initializers; graph inputs that are also initializers (older
 *     exporters list every weight as an input) are initializers only;</li>
 * <li>older opset forms are rewritten to opset 13 ({@link OpsetAdapter});</li>
 * <li>each node becomes an {@link Op} through {@link OpRegistry}; nodes without a name (or with a
 *     name already taken) get a unique one;</li>
 * <li>the graph is assembled and checked ({@link Graph}).</li>
 * </ol>
 * A file Minnow cannot read gives a {@link ModelFormatException} naming the file and, where it
 * applies, the node, tensor or byte offset; one that is well formed but uses what Minnow lacks
 * gives its subclass {@link UnsupportedModelException}.
 */
public final class OnnxReader {
    public static final int MIN_OPSET = 1;
    public static final int MAX_OPSET = 17;

    private OnnxReader() {
    }

    /** A model as read, with what the conformance runner needs beyond the graph. */
    record Loaded(Graph graph, int opset, List<String> declaredInputs, Map<String, String> metadata) {
    }

    /**
     * A model with its ONNX metadata ({@code metadata_props}: free-form key/value strings that the
     * native format uses for provenance such as the training recipe and accuracy).
     */
    public record Model(Graph graph, Map<String, String> metadata, int opset) {
    }

    /** Reads a model and its metadata from its bytes. */
    public static Model readModel(byte[] bytes, String sourceName) throws ModelFormatException {
        Loaded l = load(bytes, sourceName);
        return new Model(l.graph(), l.metadata(), l.opset());
    }

    public static Graph read(Path file) throws IOException {
        return read(readFile(file), file.toString());
    }

    /** Reads a model from its bytes; {@code sourceName} names it in messages. */
    public static Graph read(byte[] bytes, String sourceName) throws ModelFormatException {
        return load(bytes, sourceName).graph();
    }

    /** Reads a serialized TensorProto, e.g. {@code input_0.pb} of ONNX's test data. */
    public static Tensor readTensor(Path pbFile) throws IOException {
        return readTensor(readFile(pbFile), pbFile.toString());
    }

    public static Tensor readTensor(byte[] bytes, String sourceName) throws ModelFormatException {
        return OnnxTensors.parse(new ProtobufReader(bytes, sourceName), "tensor").value();
    }

    private static byte[] readFile(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(file + ": " + size + " bytes; protobuf files are limited to 2 GB");
        }
        return Files.readAllBytes(file);
    }

    static Loaded load(byte[] bytes, String source) throws ModelFormatException {
        OnnxProto.Model model = OnnxProto.parseModel(bytes, source);
        int opset = defaultOpset(model, source);
        OnnxProto.Graph g = model.graph();
        String where = source + ": ";

        Set<String> used = new HashSet<>();
        g.inputs().forEach(v -> used.add(v.name()));
        used.addAll(g.initializers().keySet());
        for (OnnxProto.Node n : g.nodes()) {
            used.add(n.name());
            used.addAll(n.inputs());
            used.addAll(n.outputs());
        }
        java.util.function.Function<String, String> fresh = prefix -> {
            String candidate = prefix;
            for (int i = 1; !used.add(candidate); i++) {
                candidate = prefix + "_" + i;
            }
            return candidate;
        };

        // Constant nodes become initializers; the rest get unique names
        Map<String, Tensor> initializers = new LinkedHashMap<>(g.initializers());
        List<OnnxProto.Node> nodes = new ArrayList<>();
        Set<String> nodeNames = new HashSet<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            OnnxProto.Node n = g.nodes().get(i);
            String name = n.name();
            if (name.isEmpty() || !nodeNames.add(name)) {
                name = fresh.apply(n.opType() + "_" + i);
                nodeNames.add(name);
                n = new OnnxProto.Node(name, n.opType(), n.domain(), n.inputs(), n.outputs(), n.attributes());
            }
            if (n.opType().equals("Constant") && n.domain().isEmpty()) {
                if (n.outputs().size() != 1 || n.outputs().get(0).isEmpty()) {
                    throw new ModelFormatException(where + "node '" + name + "' (Constant) must have one output");
                }
                if (initializers.put(n.outputs().get(0), constantValue(n, where)) != null) {
                    throw new ModelFormatException(where + "node '" + name + "' (Constant) writes '"
                            + n.outputs().get(0) + "', which is already an initializer");
                }
            } else {
                nodes.add(n);
            }
        }

        Map<String, Integer> ranks = new HashMap<>();
        for (List<OnnxProto.Value> vs : List.of(g.valueInfos(), g.outputs(), g.inputs())) {
            for (OnnxProto.Value v : vs) {
                if (v.dims() != null && v.notTensor() == null) {
                    ranks.put(v.name(), v.dims().length);
                }
            }
        }
        initializers.forEach((k, t) -> ranks.put(k, t.rank()));

        OpsetAdapter adapter = new OpsetAdapter(opset, fresh, ranks, initializers);
        List<OpsetAdapter.Adapted> adapted = new ArrayList<>();
        for (OnnxProto.Node n : nodes) {
            try {
                adapted.addAll(adapter.adapt(n));
            } catch (UnsupportedModelException ex) {
                throw new UnsupportedModelException(where + ex.getMessage(), ex);
            } catch (ModelFormatException ex) {
                throw new ModelFormatException(where + ex.getMessage(), ex);
            }
        }
        initializers.putAll(adapter.constants());

        Graph.Builder b = Graph.builder(g.name());
        List<String> declared = new ArrayList<>();
        for (OnnxProto.Value in : g.inputs()) {
            declared.add(in.name());
            if (!initializers.containsKey(in.name())) {
                addInput(b, in, where);
            }
        }
        initializers.forEach(b::initializer);
        for (OpsetAdapter.Adapted a : adapted) {
            b.node(createNode(a, where));
        }
        for (OnnxProto.Value out : g.outputs()) {
            b.output(out.name());
        }
        try {
            return new Loaded(b.build(), opset, declared, java.util.Collections.unmodifiableMap(model.metadata()));
        } catch (GraphException | IllegalArgumentException ex) {
            throw new ModelFormatException(where + ex.getMessage(), ex);
        }
    }

    private static int defaultOpset(OnnxProto.Model model, String source) throws ModelFormatException {
        Long v = model.opsets().get("");
        if (v == null) {
            if (model.irVersion() < 3) {
                return 1; // files from before opset imports existed
            }
            if (model.graph().nodes().stream().noneMatch(n -> n.domain().isEmpty())) {
                return OpsetAdapter.CANONICAL_OPSET; // no standard op: the version does not matter
            }
            throw new ModelFormatException(source + ": the model uses standard ops but imports no opset of the "
                    + "default ONNX domain");
        }
        if (v < MIN_OPSET || v > MAX_OPSET) {
            throw new UnsupportedModelException(source + ": the model uses ONNX opset " + v + "; Minnow reads opsets "
                    + MIN_OPSET + " to " + MAX_OPSET);
        }
        return (int) (long) v;
    }

    private static void addInput(Graph.Builder b, OnnxProto.Value in, String where) throws ModelFormatException {
        String who = where + "graph input '" + in.name() + "'";
        if (in.name().isEmpty()) {
            throw new ModelFormatException(where + "a graph input has no name");
        }
        if (in.notTensor() != null) {
            throw new UnsupportedModelException(who + " is a " + in.notTensor() + ", which Minnow does not support");
        }
        DataType type = DataType.fromOnnx(in.elemType());
        if (type == null) {
            if (in.elemType() == 0) {
                throw new ModelFormatException(who + " declares no element type");
            }
            throw new UnsupportedModelException(who + " has element type " + DataType.onnxName(in.elemType())
                    + ", which Minnow does not support");
        }
        if (type == DataType.FLOAT16 || type == DataType.INT16) {
            throw new UnsupportedModelException(who + " has element type " + type + ": Minnow computes in float and"
                    + " keeps 16-bit types for stored weights only (initializers widened by a Cast)");
        }
        if (in.dims() == null) {
            throw new ModelFormatException(who + " declares no shape; Minnow needs at least its rank");
        }
        int[] dims = new int[in.dims().length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = (int) in.dims()[i]; // -1 (unknown) or checked to fit an int when parsed
        }
        b.input(in.name(), type, Shape.pattern(dims));
    }

    private static Node createNode(OpsetAdapter.Adapted a, String where) throws ModelFormatException {
        OnnxProto.Node n = a.node();
        String who = where + "node '" + n.name() + "' (" + n.opType()
                + (n.domain().isEmpty() ? "" : ", domain '" + n.domain() + "'") + ")";
        if (!OpRegistry.supports(n.domain(), n.opType())) {
            throw new UnsupportedModelException(who + ": unsupported op " + n.opType()
                    + (n.domain().isEmpty() ? "" : " in domain '" + n.domain() + "'"));
        }
        Op op;
        try {
            op = OpRegistry.create(n.domain(), n.opType(), n.attributes(), a.opset());
        } catch (UnsupportedOperationException ex) {
            throw new UnsupportedModelException(who + ": " + ex.getMessage(), ex);
        } catch (RuntimeException ex) {
            // an op refusing its attributes: the file is at fault, whatever the op threw
            String msg = who + ": " + ex.getMessage();
            throw isUnsupported(ex.getMessage()) ? new UnsupportedModelException(msg, ex) : new ModelFormatException(msg, ex);
        }
        if (op == null) {
            throw new ModelFormatException(who + ": the op factory returned nothing");
        }
        try {
            return new Node(n.name(), op, n.inputs(), n.outputs());
        } catch (IllegalArgumentException ex) {
            throw new ModelFormatException(who + ": " + ex.getMessage(), ex);
        }
    }

    /** True for messages that say a feature is missing rather than the file being wrong. */
    static boolean isUnsupported(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("not supported") || m.contains("does not support") || m.contains("unsupported");
    }

    /** The value of a Constant node: {@code value}, or (opset 12+) {@code value_float(s)}/{@code value_int(s)}. */
    private static Tensor constantValue(OnnxProto.Node n, String where) throws ModelFormatException {
        Attributes a = n.attributes();
        String who = where + "node '" + n.name() + "' (Constant)";
        if (a.asMap().size() != 1) {
            throw new ModelFormatException(who + " must have exactly one attribute, found " + a.asMap().keySet());
        }
        try {
            if (a.has("value")) {
                return a.getTensor("value");
            } else if (a.has("value_float")) {
                return Tensor.scalar(a.getFloat("value_float", 0));
            } else if (a.has("value_floats")) {
                float[] f = a.getFloats("value_floats", null);
                return Tensor.of(Shape.of(f.length), f);
            } else if (a.has("value_int")) {
                return Tensor.ofLongs(Shape.scalar(), a.getLong("value_int", 0));
            } else if (a.has("value_ints")) {
                long[] l = a.getLongs("value_ints", null);
                return Tensor.ofLongs(Shape.of(l.length), l);
            }
        } catch (IllegalArgumentException ex) {
            throw new ModelFormatException(who + ": " + ex.getMessage(), ex);
        }
        throw new UnsupportedModelException(who + ": attribute " + a.asMap().keySet() + " is not supported");
    }
}
