package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.npy.Npy;
import dev.minnow.engine.io.onnx.OnnxConformance;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands end to end through Main, on ONNX files. Skipped until the ONNX reader and writer
 * are present (they come from another branch); the conformance parts also need
 * libonnx-testdata or Debian's python3-onnx.
 */
class CommandsWithOnnxTest {

    @TempDir
    Path dir;

    @BeforeEach
    void requireOnnxSupport() {
        try {
            OnnxConformance.defaultRoot();
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "the ONNX reader/writer is not in this build yet");
        }
    }

    private Path reluModel() throws Exception {
        Path model = dir.resolve("relu.onnx");
        Graph g = RunCommandTest.reluNet();
        OnnxWriter.write(g, model);
        return model;
    }

    @Test
    void runPrintsTheOutputShapeAndTopFiveAsJson() throws Exception {
        CliRun r = CliRun.of("run", reluModel().toString(), "--json", "--seed", "3", "--threads", "1");
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out().strip());
        assertThat(j.get("output_shape")).isEqualTo(List.of(1.0, 10.0));
        assertThat((List<?>) j.get("top5")).hasSize(5);
        assertThat(j.get("ms")).isInstanceOf(Double.class);
        assertThat(r.out().strip()).doesNotContain("\n");
    }

    @Test
    void runReadsAnNpyInputAndWritesTheOutput() throws Exception {
        Path in = dir.resolve("x.npy");
        Path out = dir.resolve("y.npy");
        Npy.write(Tensor.of(Shape.of(2, 10), -1, 2, -3, 4, -5, 6, -7, 8, -9, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), in);
        CliRun r = CliRun.of("run", reluModel().toString(), "--input", in.toString(), "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("input 'x' [2, 10]: " + in, "output 'y' [2, 10]", "1. index 9  value 10.0",
                "wrote " + out);
        assertThat(Npy.read(out).toFloatArray()).containsExactly(0, 2, 0, 4, 0, 6, 0, 8, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0);
    }

    @Test
    void runRefusesAnInputOfTheWrongType() throws Exception {
        Path in = dir.resolve("ints.npy");
        Npy.write(Tensor.ofLongs(Shape.of(1, 10), new long[10]), in);
        CliRun r = CliRun.of("run", reluModel().toString(), "--input", in.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLine()).contains("holds INT64 [1, 10] but input 'x' expects FLOAT");
    }

    @Test
    void summaryPlansForTheGivenShape() throws Exception {
        CliRun r = CliRun.of("summary", reluModel().toString(), "--input-shape", "3,10", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out().strip());
        assertThat(j.get("params")).isEqualTo(0.0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) j.get("nodes");
        assertThat(nodes).singleElement().satisfies(n -> {
            assertThat(n.get("op")).isEqualTo("Relu");
            assertThat(n.get("output_shape")).isEqualTo(List.of(3.0, 10.0));
        });
        CliRun text = CliRun.of("summary", reluModel().toString());
        assertThat(text.out()).contains("input 'x' [1, 10]", "total: 0 parameters");
    }

    @Test
    void aCorruptModelIsOneLineAndExitCodeTwo() throws Exception {
        Path bad = dir.resolve("bad.onnx");
        Files.write(bad, new byte[] {8, 7, 18, 3, 'a'});
        for (String command : new String[] {"run", "summary"}) {
            CliRun r = CliRun.of(command, bad.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.errLine()).startsWith("minnow: " + command + ": ");
        }
    }

    @Test
    void onnxTestRunsARealConformanceTest() {
        Path relu = Path.of("/usr/share/libonnx-testdata/data/node/test_relu");
        assumeTrue(Files.isDirectory(relu), "libonnx-testdata is not installed");
        CliRun r = CliRun.of("onnx-test", relu.toString());
        assertThat(r.out()).matches("PASS (node/)?test_relu\n1 passed, 0 failed, 0 skipped\n");
        assertThat(r.code()).isZero();
        CliRun none = CliRun.of("onnx-test", relu.getParent().toString(), "--filter", "no_such_test_name");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.errLine()).contains("has a name containing no_such_test_name");
    }

    /** Two tests made with the onnx package: one right, one whose expected output is wrong. */
    private static final String MAKE_TESTS = String.join("\n",
            "import os, sys, numpy as np, onnx",
            "from onnx import helper, numpy_helper, TensorProto",
            "g = helper.make_graph([helper.make_node('Relu', ['x'], ['y'])], 'g',",
            "    [helper.make_tensor_value_info('x', TensorProto.FLOAT, [2])],",
            "    [helper.make_tensor_value_info('y', TensorProto.FLOAT, [2])])",
            "m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)])",
            "for name, expected in [('test_good', [0, 2]), ('test_bad', [5, 5])]:",
            "    data = os.path.join(sys.argv[1], name, 'test_data_set_0')",
            "    os.makedirs(data)",
            "    onnx.save(m, os.path.join(sys.argv[1], name, 'model.onnx'))",
            "    for f, a in [('input_0.pb', [-1, 2]), ('output_0.pb', expected)]:",
            "        with open(os.path.join(data, f), 'wb') as out:",
            "            out.write(numpy_helper.from_array(np.array(a, np.float32)).SerializeToString())");

    @Test
    void onnxTestExitsWithOneWhenATestFails() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "no /usr/bin/python3");
        Process p = new ProcessBuilder(python.toString(), "-c", MAKE_TESTS, dir.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assumeTrue(!log.contains("No module named"), "python3 has no onnx module");
        assertThat(p.exitValue()).as(log).isZero();

        CliRun r = CliRun.of("onnx-test", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).containsPattern("PASS (\\S+/)?test_good\n").containsPattern("FAIL (\\S+/)?test_bad: .+\n")
                .endsWith("1 passed, 1 failed, 0 skipped\n");
        CliRun quiet = CliRun.of("onnx-test", dir.toString(), "--quiet");
        assertThat(quiet.out()).doesNotContain("PASS").containsPattern("FAIL (\\S+/)?test_bad: ");

        CliRun json = CliRun.of("onnx-test", dir.toString(), "--json");
        assertThat(json.code()).isEqualTo(1);
        Map<String, Object> j = MiniJson.parseObject(json.out().strip());
        assertThat(j).containsEntry("passed", 1.0).containsEntry("failed", 1.0).containsEntry("skipped", 0.0);
        assertThat((List<?>) j.get("tests")).hasSize(2);
        assertThat(MiniJson.pythonAccepts(json.out())).isNotEqualTo(Boolean.FALSE);
    }
}
