package dev.minnow.engine.io.onnx;

import static dev.minnow.engine.io.onnx.OnnxModelBytes.floatTensor;
import static dev.minnow.engine.io.onnx.OnnxModelBytes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.OpRegistry;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model reader on hand-assembled files: structure, names, attributes, and every refusal. */
class OnnxReaderTest {
    private static final String NATIVE = OpRegistry.NATIVE_DOMAIN;

    @BeforeAll
    static void registerTestOps() {
        AttributeCarrier.register();
    }

    private static OnnxModelBytes reluModel() {
        return new OnnxModelBytes().input("x", 1, -1, 3)
                .node(node(null, "Relu", null, List.of("x"), List.of("y")))
                .output("y");
    }

    private static ProtobufWriter attr(String name, int type) {
        return new ProtobufWriter().writeString(1, name).writeVarint(20, type);
    }

    @Test
    void readsAModelWithASymbolicBatch() throws ModelFormatException {
        Graph g = OnnxReader.read(reluModel().toByteArray(), "relu.onnx");
        assertThat(g.name()).isEqualTo("hand_built");
        assertThat(g.inputs()).containsExactly(new GraphInput("x", DataType.FLOAT, Shape.pattern(Shape.UNKNOWN, 3)));
        assertThat(g.outputs()).containsExactly("y");
        assertThat(g.nodes()).hasSize(1);
        assertThat(g.nodes().get(0).op()).isInstanceOf(Relu.class);
        assertThat(g.nodes().get(0).name()).isNotEmpty();
        Tensor y = Plan.compile(g, Shape.of(2, 3)).runSingle(Tensor.of(Shape.of(2, 3), -1, 2, -3, 4, -5, 6));
        assertThat(y.toFloatArray()).containsExactly(0, 2, 0, 4, 0, 6);
    }

    @Test
    void unnamedAndDuplicateNodesGetUniqueNames() throws ModelFormatException {
        byte[] bytes = new OnnxModelBytes().input("x", 1, 2)
                .node(node(null, "Relu", null, List.of("x"), List.of("a")))
                .node(node("r", "Relu", null, List.of("a"), List.of("b")))
                .node(node("r", "Relu", null, List.of("b"), List.of("c")))
                .node(node("Relu_0", "Relu", null, List.of("c"), List.of("d")))
                .output("d").toByteArray();
        Graph g = OnnxReader.read(bytes, "names.onnx");
        List<String> names = g.nodes().stream().map(Node::name).toList();
        assertThat(names).doesNotHaveDuplicates().hasSize(4).contains("r", "Relu_0");
        assertThat(names).allMatch(n -> !n.isEmpty());
    }

    @Test
    void initializersListedAsInputsAreOnlyInitializers() throws ModelFormatException {
        byte[] bytes = new OnnxModelBytes().input("x", 1, 2).input("w", 1, 2)
                .initializer(floatTensor("w", new long[] {2}, 0.5f, 1.5f))
                .node(node("c", AttributeCarrier.OP_TYPE, NATIVE, List.of("x", "w"), List.of("y")))
                .output("y").toByteArray();
        Graph g = OnnxReader.read(bytes, "w.onnx");
        assertThat(g.inputs()).extracting(GraphInput::name).containsExactly("x");
        assertThat(g.initializer("w").toFloatArray()).containsExactly(0.5f, 1.5f);
        assertThat(OnnxReader.load(bytes, "w.onnx").declaredInputs()).containsExactly("x", "w");
    }

    @Test
    void constantNodesBecomeInitializers() throws ModelFormatException {
        ProtobufWriter value = attr("value", 4).writeMessage(5, floatTensor("", new long[] {2}, 3f, 4f));
        ProtobufWriter ints = attr("value_ints", 7).writePackedVarints(8, new long[] {5, 6});
        byte[] bytes = new OnnxModelBytes().input("x", 1, 2)
                .node(node("k", "Constant", null, List.of(), List.of("k_out"), value))
                .node(node("k2", "Constant", "", List.of(), List.of("k2_out"), ints))
                .node(node("c", AttributeCarrier.OP_TYPE, NATIVE, List.of("x", "k_out", "k2_out"), List.of("y")))
                .output("y").toByteArray();
        Graph g = OnnxReader.read(bytes, "const.onnx");
        assertThat(g.nodes()).extracting(Node::name).containsExactly("c");
        assertThat(g.initializer("k_out").toFloatArray()).containsExactly(3f, 4f);
        assertThat(g.initializer("k2_out").toLongArray()).containsExactly(5, 6);
    }

    @Test
    void everyAttributeKindIsReadPackedOrNot() throws ModelFormatException {
        ProtobufWriter unpackedInts = attr("ints", 7).writeVarint(8, 1).writeVarint(8, -2);
        ProtobufWriter packedInts = attr("ints_packed", 7).writePackedVarints(8, new long[] {1, -2});
        ProtobufWriter unpackedFloats = attr("floats", 6).writeFloat(7, 0.5f).writeFloat(7, -1f);
        ProtobufWriter packedFloats = attr("floats_packed", 6).writePackedFloats(7, new float[] {0.5f, -1f});
        ProtobufWriter strings = attr("strings", 8).writeString(9, "a").writeString(9, "bé");
        ProtobufWriter tensor = attr("tensor", 4).writeMessage(5, floatTensor("", new long[] {1, 2}, 1f, 2f));
        ProtobufWriter i = attr("i", 2).writeVarint(3, -7);
        ProtobufWriter f = attr("scale", 1).writeFloat(2, 2.5f);
        ProtobufWriter s = attr("s", 3).writeString(4, "text");
        ProtobufWriter untyped = new ProtobufWriter().writeString(1, "untyped").writeVarint(3, 9); // IR < 2: no type
        ProtobufWriter emptyInts = attr("empty", 7);
        byte[] bytes = new OnnxModelBytes().input("x", 1, 2)
                .node(node("c", AttributeCarrier.OP_TYPE, NATIVE, List.of("x"), List.of("y"), unpackedInts, packedInts,
                        unpackedFloats, packedFloats, strings, tensor, i, f, s, untyped, emptyInts))
                .output("y").toByteArray();
        Attributes a = OnnxReader.read(bytes, "attrs.onnx").node("c").op().attributes();
        assertThat(a.getLongs("ints", null)).containsExactly(1, -2);
        assertThat(a.getLongs("ints_packed", null)).containsExactly(1, -2);
        assertThat(a.getFloats("floats", null)).containsExactly(0.5f, -1f);
        assertThat(a.getFloats("floats_packed", null)).containsExactly(0.5f, -1f);
        assertThat(a.getStrings("strings", null)).containsExactly("a", "bé");
        assertThat(a.getTensor("tensor").contentEquals(Tensor.of(Shape.of(1, 2), 1f, 2f))).isTrue();
        assertThat(a.getLong("i", 0)).isEqualTo(-7);
        assertThat(a.getFloat("scale", 0)).isEqualTo(2.5f);
        assertThat(a.getString("s", null)).isEqualTo("text");
        assertThat(a.getLong("untyped", 0)).isEqualTo(9);
        assertThat(a.getLongs("empty", null)).isEmpty();
    }

    @Test
    void unsupportedOpsAndDomainsNameTheNode() {
        byte[] foo = new OnnxModelBytes().input("x", 1, 2)
                .node(node("f1", "Foo", null, List.of("x"), List.of("y"))).output("y").toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(foo, "foo.onnx"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("foo.onnx").hasMessageContaining("node 'f1' (Foo)")
                .hasMessageContaining("unsupported op Foo");
        byte[] domain = new OnnxModelBytes().input("x", 1, 2)
                .node(node("r", "Relu", "com.example", List.of("x"), List.of("y"))).output("y").toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(domain, "d.onnx"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("node 'r' (Relu, domain 'com.example')")
                .hasMessageContaining("unsupported op Relu in domain 'com.example'");
    }

    @Test
    void anOpRefusingItsAttributesIsAFormatErrorNamingTheNode() {
        byte[] bytes = new OnnxModelBytes().input("x", 1, 2)
                .node(node("r", "Relu", null, List.of("x"), List.of("y"), attr("alpha", 1).writeFloat(2, 1f)))
                .output("y").toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(bytes, "a.onnx"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("node 'r' (Relu)").hasMessageContaining("alpha");
    }

    @Test
    void opsetsOutsideTheSupportedRangeAreRefused() {
        assertThatThrownBy(() -> OnnxReader.read(reluModel().opset(18).toByteArray(), "o.onnx"))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("opset 18")
                .hasMessageContaining("1 to 17");
        assertThatThrownBy(() -> OnnxReader.read(reluModel().opset(0).toByteArray(), "o.onnx"))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("opset 0");
        assertThatThrownBy(() -> OnnxReader.read(reluModel().noOpset().toByteArray(), "o.onnx"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("imports no opset");
    }

    @Test
    void subgraphsSparseAndExternalDataAreRefusedByName() {
        ProtobufWriter graphAttr = attr("then_branch", 5).writeMessage(6, new ProtobufWriter().writeString(2, "g"));
        byte[] withGraph = new OnnxModelBytes().input("x", 1, 2)
                .node(node("if1", "If", null, List.of("x"), List.of("y"), graphAttr)).output("y").toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(withGraph, "if.onnx"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("node 'if1' (If)").hasMessageContaining("'then_branch'")
                .hasMessageContaining("graph");
        byte[] sparse = reluModel().graphField(15, new ProtobufWriter().writeVarint(3, 1)).toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(sparse, "s.onnx"))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("sparse initializers");
        ProtobufWriter external = new ProtobufWriter().writeVarint(1, 2).writeVarint(2, 1).writeString(8, "w")
                .writeMessage(13, new ProtobufWriter().writeString(1, "location").writeString(2, "w.bin"))
                .writeVarint(14, 1);
        byte[] ext = reluModel().initializer(external).toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(ext, "e.onnx"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("initializer 'w'").hasMessageContaining("external data");
    }

    @Test
    void graphInputsMustBeTensorsOfSupportedTypesWithARank() {
        ProtobufWriter sequence = new ProtobufWriter().writeString(1, "seq")
                .writeMessage(2, new ProtobufWriter().writeMessage(4, new ProtobufWriter()));
        byte[] seq = reluModel().input(sequence).toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(seq, "q.onnx"))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'seq' is a sequence");
        byte[] dbl = new OnnxModelBytes().input("x", 11, 2)
                .node(node("r", "Relu", null, List.of("x"), List.of("y"))).output("y").toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(dbl, "d.onnx"))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'x'").hasMessageContaining("DOUBLE");
        byte[] noShape = new OnnxModelBytes().input(OnnxModelBytes.valueInfo("x", 1, null))
                .node(node("r", "Relu", null, List.of("x"), List.of("y"))).output("y").toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(noShape, "n.onnx"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("'x' declares no shape");
    }

    @Test
    void brokenWiringIsAFormatError() {
        byte[] bytes = new OnnxModelBytes().input("x", 1, 2)
                .node(node("r", "Relu", null, List.of("nowhere"), List.of("y"))).output("y").toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(bytes, "w.onnx"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("w.onnx").hasMessageContaining("'r'").hasMessageContaining("'nowhere'");
        byte[] noOutputs = new OnnxModelBytes().input("x", 1, 2)
                .node(node("r", "Relu", null, List.of("x"), List.of())).toByteArray();
        assertThatThrownBy(() -> OnnxReader.read(noOutputs, "w.onnx")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("no outputs");
    }

    @Test
    void garbageAndTruncatedFilesAreFormatErrors() {
        byte[] good = reluModel().toByteArray();
        for (int cut : new int[] {1, 5, good.length / 2, good.length - 1}) {
            assertThatThrownBy(() -> OnnxReader.read(Arrays.copyOf(good, cut), "cut.onnx"))
                    .as("cut at %d", cut).isInstanceOf(ModelFormatException.class).hasMessageContaining("cut.onnx");
        }
        assertThatThrownBy(() -> OnnxReader.read(new byte[0], "empty.onnx"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("not an ONNX model");
        assertThatThrownBy(() -> OnnxReader.read("hello, I am not a model".getBytes(), "text.onnx"))
                .isInstanceOf(ModelFormatException.class);
    }

    @Test
    void deeplyNestedMessagesAreSkippedWithoutRecursion() throws ModelFormatException {
        // 3000 levels of an unknown field inside the graph, and a type nested as deeply
        ProtobufWriter nested = new ProtobufWriter().writeVarint(1, 1);
        for (int i = 0; i < 3000; i++) {
            nested = new ProtobufWriter().writeMessage(1, nested);
        }
        Graph g = OnnxReader.read(reluModel().graphField(99, nested).toByteArray(), "deep.onnx");
        assertThat(g.nodes()).hasSize(1);
        ProtobufWriter sequenceType = new ProtobufWriter();
        for (int i = 0; i < 3000; i++) {
            sequenceType = new ProtobufWriter().writeMessage(4, new ProtobufWriter().writeMessage(1, sequenceType));
        }
        ProtobufWriter input = new ProtobufWriter().writeString(1, "s").writeMessage(2, sequenceType);
        assertThatThrownBy(() -> OnnxReader.read(reluModel().input(input).toByteArray(), "deep.onnx"))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'s' is a sequence");
    }

    @Test
    void readsFromAPathAndReportsMissingFiles(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("relu.onnx");
        Files.write(f, reluModel().toByteArray());
        assertThat(OnnxReader.read(f).outputs()).containsExactly("y");
        assertThatThrownBy(() -> OnnxReader.read(dir.resolve("absent.onnx"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void readsOnnxsOwnReluModel() throws IOException {
        Path model = OnnxConformance.defaultRoot().resolve("node/test_relu/model.onnx");
        assumeTrue(Files.exists(model), "ONNX conformance data not installed");
        Graph g = OnnxReader.read(model);
        assertThat(g.inputs()).containsExactly(new GraphInput("x", DataType.FLOAT, Shape.of(3, 4, 5)));
        assertThat(g.outputs()).containsExactly("y");
        assertThat(g.nodes()).singleElement().satisfies(n -> assertThat(n.op()).isInstanceOf(Relu.class));
    }
}
