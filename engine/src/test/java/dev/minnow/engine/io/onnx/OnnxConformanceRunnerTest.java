package dev.minnow.engine.io.onnx;

import static dev.minnow.engine.io.onnx.OnnxModelBytes.floatTensor;
import static dev.minnow.engine.io.onnx.OnnxModelBytes.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.onnx.ConformanceResult.Status;
import dev.minnow.engine.op.OpRegistry;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conformance runner itself, on small test directories made here. */
class OnnxConformanceRunnerTest {
    private static final OnnxConformance.Tolerance ONNX =
            new OnnxConformance.Tolerance(OnnxConformance.RTOL, OnnxConformance.ATOL, "default");

    @TempDir
    Path root;

    @BeforeAll
    static void registerTestOps() {
        AttributeCarrier.register();
    }

    private static Graph relu() {
        return Graph.builder("relu").input("x", 2, 3).node("r", new Relu(), List.of("x"), List.of("y"))
                .output("y").build();
    }

    private Path testDir(String name, byte[] model, Tensor[] inputs, Tensor[] outputs) throws IOException {
        Path dir = root.resolve("suite").resolve(name);
        Path set = dir.resolve("test_data_set_0");
        Files.createDirectories(set);
        Files.write(dir.resolve("model.onnx"), model);
        for (int i = 0; i < inputs.length; i++) {
            Files.write(set.resolve("input_" + i + ".pb"), OnnxTensors.encode("in" + i, inputs[i]).toByteArray());
        }
        for (int i = 0; i < outputs.length; i++) {
            Files.write(set.resolve("output_" + i + ".pb"), OnnxTensors.encode("out" + i, outputs[i]).toByteArray());
        }
        return dir;
    }

    private static final Tensor X = Tensor.of(Shape.of(2, 3), -1, 2, -3, 4, -5, 6);

    @Test
    void passesWhenOutputsMatchWithinTolerance() throws IOException {
        Tensor y = Tensor.of(Shape.of(2, 3), 0, 2 * (1 + 5e-4f), 0, 4, 0, 6);
        ConformanceResult r = OnnxConformance.run(testDir("test_ok", OnnxWriter.toBytes(relu()),
                new Tensor[] {X}, new Tensor[] {y}));
        assertThat(r).isEqualTo(new ConformanceResult("suite/test_ok", Status.PASS, "1 data set(s)"));
    }

    @Test
    void failsNamingOutputIndexAndValues() throws IOException {
        Tensor y = Tensor.of(Shape.of(2, 3), 0, 2, 0, 4, 0, 6.02f);
        ConformanceResult r = OnnxConformance.run(testDir("test_off", OnnxWriter.toBytes(relu()),
                new Tensor[] {X}, new Tensor[] {y}));
        assertThat(r.status()).isEqualTo(Status.FAIL);
        assertThat(r.detail()).contains("test_data_set_0").contains("output 'y'").contains("[1, 2]")
                .contains("got 6.0").contains("expected 6.02").contains("1 of 6");
    }

    @Test
    void shapeAndTypeMustMatch() throws IOException {
        ConformanceResult shape = OnnxConformance.run(testDir("test_shape", OnnxWriter.toBytes(relu()),
                new Tensor[] {X}, new Tensor[] {Tensor.zeros(3, 2)}));
        assertThat(shape.status()).isEqualTo(Status.FAIL);
        assertThat(shape.detail()).contains("shape [2, 3], expected [3, 2]");
        ConformanceResult type = OnnxConformance.run(testDir("test_type", OnnxWriter.toBytes(relu()),
                new Tensor[] {X}, new Tensor[] {Tensor.ofLongs(Shape.of(2, 3), 0, 2, 0, 4, 0, 6)}));
        assertThat(type.detail()).contains("type FLOAT, expected INT64");
    }

    @Test
    void skipsUnsupportedOpsAndTypes() throws IOException {
        byte[] foo = new OnnxModelBytes().input("x", 1, 2, 3)
                .node(node("f", "Foo", null, List.of("x"), List.of("y"))).output("y").toByteArray();
        ConformanceResult op = OnnxConformance.run(testDir("test_foo", foo, new Tensor[] {X}, new Tensor[] {X}));
        assertThat(op.status()).isEqualTo(Status.SKIP);
        assertThat(op.detail()).contains("unsupported op Foo");
        // a double input: the file has it, Minnow does not
        Path dir = testDir("test_double", OnnxWriter.toBytes(relu()), new Tensor[0], new Tensor[] {X});
        Files.write(dir.resolve("test_data_set_0/input_0.pb"), new ProtobufWriter().writeVarint(1, 1).writeVarint(2, 11)
                .writePackedVarints(10, new long[0]).toByteArray());
        ConformanceResult dbl = OnnxConformance.run(dir);
        assertThat(dbl.status()).isEqualTo(Status.SKIP);
        assertThat(dbl.detail()).contains("DOUBLE");
    }

    @Test
    void weightsDeclaredAsInputsKeepTheirStoredValues() throws IOException {
        // x and w are both declared inputs; w is also an initializer, as older exporters wrote it
        byte[] model = new OnnxModelBytes().input("x", 1, 2, 3).input("w", 1, 1)
                .initializer(floatTensor("w", new long[] {1}, 0.5f))
                .node(node("c", AttributeCarrier.OP_TYPE, OpRegistry.NATIVE_DOMAIN, List.of("x", "w"), List.of("y"),
                        new ProtobufWriter().writeString(1, "scale").writeFloat(2, 1f).writeVarint(20, 1)))
                .output("y").toByteArray();
        Tensor expected = Tensor.of(Shape.of(2, 3), 0, 3, -2, 5, -4, 7);
        assertThat(OnnxConformance.run(testDir("test_w", model, new Tensor[] {X}, new Tensor[] {expected})).status())
                .isEqualTo(Status.PASS);
        // a data file for w as well is ignored
        assertThat(OnnxConformance.run(testDir("test_w2", model, new Tensor[] {X, Tensor.of(Shape.of(1), 9f)},
                new Tensor[] {expected})).status()).isEqualTo(Status.PASS);
    }

    @Test
    void integerInputsAreBakedInAsConstantsForPlanning() throws IOException {
        Graph g = Graph.builder("g").input("x", 2, 3).input("shape", DataType.INT64, Shape.of(2))
                .node("c", new AttributeCarrier(dev.minnow.engine.op.Attributes.empty()), List.of("x", "shape"),
                        List.of("y"))
                .output("y").build();
        Tensor shape = Tensor.ofLongs(Shape.of(2), 3, 2);
        Graph baked = OnnxConformance.bakeIntegerInputs(g, java.util.Map.of("x", X, "shape", shape));
        assertThat(baked.inputs()).extracting(in -> in.name()).containsExactly("x");
        assertThat(baked.initializer("shape").contentEquals(shape)).isTrue();
        assertThat(baked.nodes()).isEqualTo(g.nodes());
        ConformanceResult r = OnnxConformance.run(testDir("test_baked", OnnxWriter.toBytes(g),
                new Tensor[] {X, shape}, new Tensor[] {X}));
        assertThat(r.status()).as(r.detail()).isEqualTo(Status.PASS);
    }

    @Test
    void structuralProblemsFail() throws IOException {
        ConformanceResult missing = OnnxConformance.run(testDir("test_no_output", OnnxWriter.toBytes(relu()),
                new Tensor[] {X}, new Tensor[0]));
        assertThat(missing.status()).isEqualTo(Status.FAIL);
        assertThat(missing.detail()).contains("1 outputs but the data set 0");
        ConformanceResult noInput = OnnxConformance.run(testDir("test_no_input", OnnxWriter.toBytes(relu()),
                new Tensor[0], new Tensor[] {X}));
        assertThat(noInput.status()).isEqualTo(Status.FAIL);
        assertThat(noInput.detail()).contains("'x'");
        ConformanceResult wrongShape = OnnxConformance.run(testDir("test_bad_shape", OnnxWriter.toBytes(relu()),
                new Tensor[] {Tensor.zeros(4, 3)}, new Tensor[] {X}));
        assertThat(wrongShape.status()).isEqualTo(Status.FAIL);
        assertThat(wrongShape.detail()).contains("[4, 3]");
        Path broken = testDir("test_broken", new byte[] {1, 2, 3}, new Tensor[0], new Tensor[0]);
        assertThat(OnnxConformance.run(broken).status()).isEqualTo(Status.FAIL);
    }

    @Test
    void discoversModelDirectoriesSorted() throws IOException {
        testDir("test_b", OnnxWriter.toBytes(relu()), new Tensor[0], new Tensor[0]);
        testDir("test_a", OnnxWriter.toBytes(relu()), new Tensor[0], new Tensor[0]);
        Files.createDirectories(root.resolve("suite/not_a_test"));
        assertThat(OnnxConformance.discover(root)).extracting(p -> p.getFileName().toString())
                .containsExactly("test_a", "test_b");
    }

    @Test
    void toleranceFollowsOnnx() {
        Shape s = Shape.of(1);
        assertThat(OnnxConformance.compare("y", Tensor.of(s, 0.9e-7f), Tensor.of(s, 0f), ONNX)).isNull();
        assertThat(OnnxConformance.compare("y", Tensor.of(s, 3e-7f), Tensor.of(s, 0f), ONNX)).isNotNull();
        assertThat(OnnxConformance.compare("y", Tensor.of(s, 1000.9f), Tensor.of(s, 1000f), ONNX)).isNull();
        assertThat(OnnxConformance.compare("y", Tensor.of(s, 1001.1f), Tensor.of(s, 1000f), ONNX)).isNotNull();
        assertThat(OnnxConformance.compare("y", Tensor.of(s, Float.NaN), Tensor.of(s, Float.NaN), ONNX)).isNull();
        assertThat(OnnxConformance.compare("y", Tensor.of(s, 0f), Tensor.of(s, Float.NaN), ONNX)).isNotNull();
        assertThat(OnnxConformance.compare("y", Tensor.of(s, Float.POSITIVE_INFINITY),
                Tensor.of(s, Float.POSITIVE_INFINITY), ONNX)).isNull();
        assertThat(OnnxConformance.compare("y", Tensor.of(s, Float.MAX_VALUE),
                Tensor.of(s, Float.POSITIVE_INFINITY), ONNX)).isNotNull();
        Tensor a = Tensor.ofLongs(Shape.of(2), 1, 2);
        assertThat(OnnxConformance.compare("i", a, Tensor.ofLongs(Shape.of(2), 1, 2), ONNX)).isNull();
        assertThat(OnnxConformance.compare("i", a, Tensor.ofLongs(Shape.of(2), 1, 3), ONNX))
                .contains("output 'i' at index [1]: got 2, expected 3");
        assertThat(OnnxConformance.compare("b", Tensor.ofBytes(Shape.of(1), DataType.BOOL, (byte) 1),
                Tensor.ofBytes(Shape.of(1), DataType.BOOL, (byte) 0), ONNX)).isNotNull();
        assertThat(OnnxConformance.RELAXED).allSatisfy((name, tol) -> assertThat(tol.reason()).isNotBlank());
    }
}
