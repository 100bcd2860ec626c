package dev.minnow.engine.io.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported files checked by the official ONNX implementation (Debian's python3 with the onnx
 * package); skipped where that python is absent.
 */
class OnnxCheckerTest {
    private static final String PYTHON = "/usr/bin/python3";

    @BeforeAll
    static void registerTestOps() {
        AttributeCarrier.register();
    }

    private static void assumeOnnxPython() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " not found");
        assumeTrue(python("import onnx").exitCode == 0, PYTHON + " has no onnx package");
    }

    private record Result(int exitCode, String output) {
    }

    private static Result python(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(PYTHON, "-c", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theCheckerAcceptsExportedModels(@TempDir Path dir) throws Exception {
        assumeOnnxPython();
        Path withNative = dir.resolve("sample.onnx");
        OnnxWriter.write(OnnxWriterTest.sample(), withNative);
        Path standard = dir.resolve("shuffle.onnx");
        OnnxWriter.write(OnnxWriterTest.shuffleGraph(), standard);
        Path dynamic = dir.resolve("dynamic.onnx");
        OnnxWriter.write(Graph.builder("dyn").input("x", Shape.UNKNOWN, 3, Shape.UNKNOWN, Shape.UNKNOWN)
                .node("r", new dev.minnow.engine.op.Relu(), List.of("x"), List.of("y")).output("y").build(), dynamic);
        Result r = python("""
                import sys, onnx
                onnx.checker.check_model(onnx.load(sys.argv[1]))
                # the standard-only models also pass strict shape inference
                onnx.checker.check_model(onnx.load(sys.argv[2]), full_check=True)
                m = onnx.load(sys.argv[3])
                onnx.checker.check_model(m, full_check=True)
                dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
                print("input", dims(m.graph.input[0]), "output", dims(m.graph.output[0]))
                print("ok")
                """, withNative.toString(), standard.toString(), dynamic.toString());
        assertThat(r.exitCode).as(r.output).isZero();
        assertThat(r.output).contains("ok").contains("input ['N', 3, 'd2', 'd3'] output ['N', 3, 'd2', 'd3']");
    }

    /**
     * The lowered ChannelShuffle, evaluated by numpy from the exported file (Reshape with ONNX's
     * "0 copies the dimension" rule, and Transpose), equals Minnow's result.
     */
    @Test
    void theLoweredChannelShuffleComputesTheShuffle(@TempDir Path dir) throws Exception {
        assumeOnnxPython();
        Graph g = OnnxWriterTest.shuffleGraph();
        Path model = dir.resolve("shuffle.onnx");
        OnnxWriter.write(g, model);
        Random rnd = new Random(3);
        float[] xs = new float[2 * 6 * 2 * 3];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) rnd.nextGaussian();
        }
        Tensor x = Tensor.of(Shape.of(2, 6, 2, 3), xs);
        Tensor y = Plan.compile(g, x.shape()).runSingle(x);
        Files.write(dir.resolve("x.pb"), OnnxTensors.encode("x", x).toByteArray());
        Files.write(dir.resolve("y.pb"), OnnxTensors.encode("y", y).toByteArray());
        Result r = python("""
                import sys, onnx, numpy as np
                from onnx import numpy_helper
                d = sys.argv[1]
                m = onnx.load(d + "/shuffle.onnx")
                load = lambda f: numpy_helper.to_array(onnx.load_tensor(d + "/" + f))
                env = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
                env["x"] = load("x.pb")
                for n in m.graph.node:
                    a = [env[i] for i in n.input]
                    if n.op_type == "Reshape":
                        shape = [a[0].shape[i] if s == 0 else s for i, s in enumerate(a[1])]
                        out = a[0].reshape(shape)
                    elif n.op_type == "Transpose":
                        out = a[0].transpose(list(n.attribute[0].ints))
                    else:
                        raise SystemExit("unexpected op " + n.op_type)
                    env[n.output[0]] = out
                got, want = env["y"], load("y.pb")
                assert got.shape == want.shape, (got.shape, want.shape)
                assert np.array_equal(got, want), "shuffled values differ"
                # and both agree with the definition: [N, g, C/g, H, W] -> swap g and C/g
                xs = load("x.pb")
                ref = xs.reshape(2, 3, 2, 2, 3).transpose(0, 2, 1, 3, 4).reshape(2, 6, 2, 3)
                assert np.array_equal(ref, want), "Minnow's stand-in disagrees with the definition"
                print("ok")
                """, dir.toString());
        assertThat(r.exitCode).as(r.output).isZero();
        assertThat(r.output).contains("ok");
    }
}
