package dev.minnow.engine.io.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export: round trips through the reader, file atomicity, and the lowering of native ops. */
class OnnxWriterTest {

    @BeforeAll
    static void registerTestOps() {
        AttributeCarrier.register();
    }

    /** Attributes of every kind ONNX can store and Minnow can carry. */
    static Attributes everyKind() {
        return Attributes.builder()
                .set("scale", 0.25f)
                .set("count", -3L)
                .set("mode", "constant")
                .set("weights", Tensor.of(Shape.of(2, 2), 1f, -2f, 3.5f, Float.NaN))
                .set("index", Tensor.ofLongs(Shape.of(1), 42))
                .set("pads", new long[] {0, 1, Long.MAX_VALUE, Long.MIN_VALUE})
                .set("empty", new long[0])
                .set("alphas", new float[] {0.5f, -0f, Float.POSITIVE_INFINITY})
                .set("names", new String[] {"a", "", "ü"})
                .build();
    }

    /** x [N, 4] -> Relu -> carrier(+0.25, reads w) -> Relu -> y; r is a second output. */
    static Graph sample() {
        Random rnd = new Random(7);
        float[] w = new float[4];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        return Graph.builder("sample").input("x", Shape.UNKNOWN, 4)
                .initializer("w", Tensor.of(Shape.of(4), w))
                .initializer("k64", Tensor.ofLongs(Shape.of(2), -1, 1L << 40))
                .initializer("k32", Tensor.ofInts(Shape.of(2, 1), 7, -7))
                .initializer("u8", Tensor.ofBytes(Shape.of(3), DataType.UINT8, (byte) 0, (byte) 128, (byte) 255))
                .initializer("i8", Tensor.ofBytes(Shape.of(1), DataType.INT8, (byte) -5))
                .initializer("flag", Tensor.ofBytes(Shape.scalar(), DataType.BOOL, (byte) 1))
                .node("relu1", new Relu(), List.of("x"), List.of("r"))
                .node("carry", new AttributeCarrier(everyKind()), List.of("r", "w", "k64", "k32", "u8", "i8", "flag"),
                        List.of("c"))
                .node("relu2", new Relu(), List.of("c"), List.of("y"))
                .output("y").output("r")
                .build();
    }

    @Test
    void exportThenImportGivesTheSameGraph() throws ModelFormatException {
        Graph g = sample();
        byte[] bytes = OnnxWriter.toBytes(g);
        assertThat(OnnxWriter.toBytes(g)).as("export is deterministic").isEqualTo(bytes);
        Graph back = OnnxReader.read(bytes, "sample.onnx");
        assertThat(back.name()).isEqualTo(g.name());
        assertThat(back.inputs()).isEqualTo(g.inputs());
        assertThat(back.outputs()).isEqualTo(g.outputs());
        assertThat(back.initializers().keySet()).containsExactlyElementsOf(g.initializers().keySet());
        g.initializers().forEach((name, t) ->
                assertThat(back.initializer(name).contentEquals(t)).as("initializer %s", name).isTrue());
        assertThat(back.nodes()).hasSameSizeAs(g.nodes());
        for (int i = 0; i < g.nodes().size(); i++) {
            Node a = g.nodes().get(i);
            Node b = back.nodes().get(i);
            assertThat(b.name()).isEqualTo(a.name());
            assertThat(b.inputs()).isEqualTo(a.inputs());
            assertThat(b.outputs()).isEqualTo(a.outputs());
            assertThat(b.op()).isEqualTo(a.op());
            assertThat(b.op().attributes()).isEqualTo(a.op().attributes());
        }
        // and it runs to bit-identical outputs
        Tensor x = Tensor.of(Shape.of(3, 4), -1.5f, 2f, 0f, -0f, 3f, -4f, 5.5f, 1e-30f, -1e30f, 7f, -8f, Float.MIN_VALUE);
        Map<String, Shape> shapes = Map.of("x", Shape.of(3, 4));
        Map<String, Tensor> expected = Plan.compile(g, shapes, PlanOptions.inference()).run(x);
        Map<String, Tensor> got = Plan.compile(back, shapes, PlanOptions.inference()).run(x);
        for (String out : g.outputs()) {
            assertThat(got.get(out).contentEquals(expected.get(out))).as("output %s", out).isTrue();
        }
        assertThat(got.get("y").toFloatArray()[0]).isEqualTo(0.25f); // relu(relu(-1.5) + 0.25)
    }

    @Test
    void theModelHeaderAndDeclaredShapes() throws ModelFormatException {
        OnnxProto.Model m = OnnxProto.parseModel(OnnxWriter.toBytes(sample()), "sample.onnx");
        assertThat(m.irVersion()).isEqualTo(8);
        assertThat(m.opsets()).containsEntry("", 13L).containsEntry("dev.minnow", 1L).hasSize(2);
        OnnxProto.Value x = m.graph().inputs().get(0);
        assertThat(x.elemType()).isEqualTo(1);
        assertThat(x.dims()).containsExactly(-1, 4); // written as dim_param "N"
        OnnxProto.Value y = m.graph().outputs().get(0);
        assertThat(y.elemType()).isEqualTo(1);
        assertThat(y.dims()).as("the batch stays symbolic, the rest is inferred").containsExactly(-1, 4);
        // a graph of standard ops only imports the default domain alone
        Graph plain = Graph.builder("p").input("x", 1, 2).node("r", new Relu(), List.of("x"), List.of("y"))
                .output("y").build();
        OnnxProto.Model p = OnnxProto.parseModel(OnnxWriter.toBytes(plain), "p");
        assertThat(p.opsets()).containsOnlyKeys("");
        assertThat(p.graph().outputs().get(0).dims()).containsExactly(1, 2);
    }

    @Test
    void channelShuffleIsLoweredToReshapeTransposeReshape() throws ModelFormatException {
        OnnxProto.Model m = OnnxProto.parseModel(OnnxWriter.toBytes(shuffleGraph()), "shuffle.onnx");
        List<OnnxProto.Node> nodes = m.graph().nodes();
        assertThat(nodes).extracting(OnnxProto.Node::opType).containsExactly("Reshape", "Transpose", "Reshape");
        assertThat(nodes).allMatch(n -> n.domain().isEmpty());
        assertThat(m.opsets()).containsOnlyKeys("");
        assertThat(m.graph().initializers().get(nodes.get(0).inputs().get(1)).toLongArray()).containsExactly(0, 3, 2, -1);
        assertThat(nodes.get(1).attributes().getLongs("perm", null)).containsExactly(0, 2, 1, 3);
        assertThat(m.graph().initializers().get(nodes.get(2).inputs().get(1)).toLongArray()).containsExactly(0, 6, 2, 3);
        assertThat(nodes.get(0).inputs().get(0)).isEqualTo("x");
        assertThat(nodes.get(2).outputs()).containsExactly("y");
        assertThat(nodes.get(2).name()).isEqualTo("shuffle");
    }

    static Graph shuffleGraph() {
        return Graph.builder("shuffle").input("x", Shape.UNKNOWN, 6, 2, 3)
                .node("shuffle", new TestChannelShuffle(3), List.of("x"), List.of("y"))
                .output("y").build();
    }

    @Test
    void aNativeOpThatCannotBeLoweredFailsWithTheReason() {
        Graph g = Graph.builder("bad").input("x", 1, 6, 5)
                .node("shuffle", new TestChannelShuffle(3), List.of("x"), List.of("y")).output("y").build();
        assertThatThrownBy(() -> OnnxWriter.toBytes(g))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'shuffle' (ChannelShuffle)").hasMessageContaining("not [N, C, H, W]");
    }

    @Test
    void writingIsAtomic(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("model.onnx");
        OnnxWriter.write(sample(), f);
        byte[] first = Files.readAllBytes(f);
        assertThat(OnnxReader.read(f).nodes()).hasSize(3);
        // overwriting replaces the file
        Graph plain = Graph.builder("p").input("x", 1, 2).node("r", new Relu(), List.of("x"), List.of("y"))
                .output("y").build();
        OnnxWriter.write(plain, f);
        assertThat(OnnxReader.read(f).nodes()).hasSize(1);
        OnnxWriter.write(sample(), f);
        assertThat(Files.readAllBytes(f)).isEqualTo(first);
        // a failing export leaves the previous file as it was, and no temporary file behind
        Graph bad = Graph.builder("bad").input("x", 1, 6, 5)
                .node("shuffle", new TestChannelShuffle(3), List.of("x"), List.of("y")).output("y").build();
        assertThatThrownBy(() -> OnnxWriter.write(bad, f)).isInstanceOf(IllegalStateException.class);
        assertThat(Files.readAllBytes(f)).isEqualTo(first);
        // a move that fails (the target is a non-empty directory) leaves no temporary file either
        Path blocked = dir.resolve("blocked.onnx");
        Files.createDirectories(blocked.resolve("inside"));
        assertThatThrownBy(() -> OnnxWriter.write(plain, blocked)).isInstanceOf(IOException.class);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("model.onnx", "blocked.onnx");
        }
    }
}
