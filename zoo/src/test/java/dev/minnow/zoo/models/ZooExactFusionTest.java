package dev.minnow.zoo.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Dropout;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact graph optimisations on every zoo model: the optimised graph computes the same logits
 * (within 1e-4 of the largest one) with batch norms folded, activations fused and dropout gone.
 * Batch-norm statistics are randomised first, so that folding has something to fold (a fresh BN
 * is the identity). Inputs of 64x64 keep the ImageNet layout (real stems, pools and all) at a
 * twelfth of the cost of 224x224; the LeNets take their 1x28x28, and VGG-16, the costliest, its
 * small variant at 32x32.
 */
class ZooExactFusionTest {

    static Graph model(String name, long seed) {
        Graph g = name.startsWith("lenet") ? Zoo.build(name, 10, 1, 28, 28, seed)
                : name.equals("vgg16") ? Zoo.build(name, 10, 3, 32, 32, seed) : Zoo.build(name, 10, 3, 64, 64, seed);
        randomizeBatchNorm(g, new Random(seed));
        return g;
    }

    static Tensor input(Graph g, int batch, long seed) {
        int[] d = g.inputs().get(0).shape().dims();
        d[0] = batch;
        Tensor x = Tensor.zeros(d);
        Init.uniform(x, 1, new Random(seed));
        return x;
    }

    /** gamma in [0.5, 1.5], beta and mean in [-0.2, 0.2], variance in [0.5, 1.5]: a trained-looking BN. */
    static void randomizeBatchNorm(Graph g, Random r) {
        for (Node n : g.nodes()) {
            if (n.op() instanceof BatchNormalization) {
                float[][] ranges = {{0.5f, 1.5f}, {-0.2f, 0.2f}, {-0.2f, 0.2f}, {0.5f, 1.5f}};
                for (int i = 1; i <= 4; i++) {
                    Tensor t = g.initializer(n.input(i));
                    for (int j = 0; j < t.size(); j++) {
                        t.data()[t.offset() + j] = ranges[i - 1][0] + r.nextFloat() * (ranges[i - 1][1] - ranges[i - 1][0]);
                    }
                }
            }
        }
    }

    static void assertClose(Tensor expected, Tensor got, String what) {
        assertThat(got.shape()).isEqualTo(expected.shape());
        float scale = 0;
        for (int i = 0; i < expected.size(); i++) {
            scale = Math.max(scale, Math.abs(expected.get(i)));
        }
        for (int i = 0; i < expected.size(); i++) {
            assertThat(Math.abs(got.get(i) - expected.get(i))).as("%s element %d: %s vs %s", what, i, got.get(i),
                    expected.get(i)).isLessThanOrEqualTo(1e-4f * scale);
        }
    }

    @Test
    void everyZooModelComputesTheSameLogitsOptimised() {
        for (String name : Zoo.names()) {
            Graph g = model(name, 7);
            Tensor x = input(g, 1, 11);
            long checksum = checksum(g);
            Tensor expected = Plan.compile(g, x.shape()).runSingle(x).copy();
            GraphOptimizer.Optimized o = GraphOptimizer.standard().optimize(g);
            Graph opt = o.graph();
            assertClose(expected, Plan.compile(opt, x.shape()).runSingle(x), name);
            assertThat(opt.nodes().size()).as(name + ": " + o.summary()).isLessThan(g.nodes().size());
            // what is left: no BN after a conv, no dropout, no ReLU right after a conv
            for (Node n : opt.nodes()) {
                assertThat(n.op()).as(name + " " + n.name()).isNotInstanceOf(Dropout.class);
                if (n.op() instanceof BatchNormalization || n.op() instanceof Relu) {
                    Node p = opt.producer(n.input(0));
                    assertThat(p == null ? null : p.op()).as(name + ": " + n.describe() + " after a conv")
                            .isNotInstanceOf(Conv.class);
                }
            }
            // the original graph and its weights are untouched
            assertThat(checksum(g)).as(name + " weights after optimising").isEqualTo(checksum);
        }
    }

    /** A hash of every initializer's bits, to see that optimising changed none in place. */
    private static long checksum(Graph g) {
        long h = g.nodes().size();
        for (Tensor t : g.initializers().values()) {
            if (t.type() == dev.minnow.engine.tensor.DataType.FLOAT) {
                for (int i = 0; i < t.size(); i++) {
                    h = h * 31 + Float.floatToRawIntBits(t.data()[t.offset() + i]);
                }
            }
        }
        return h;
    }

    @Test
    void optimisedModelsExportToStandardOnnxThatRunsTheSame(@TempDir Path dir) throws Exception {
        for (String name : List.of("resnet18", "mobilenet_v2", "googlenet_bvlc", "lenet300")) {
            Graph opt = GraphOptimizer.standard().optimize(model(name, 3)).graph();
            assertThat(opt.nodes().stream().anyMatch(n -> n.op().opType().startsWith("Fused"))).as(name).isTrue();
            Tensor x = input(opt, 1, 5);
            Tensor expected = Plan.compile(opt, x.shape()).runSingle(x).copy();
            byte[] onnx = OnnxWriter.toBytes(opt);
            Graph back = OnnxReader.read(onnx, name + ".onnx");
            assertThat(back.nodes()).as(name).noneMatch(n -> !n.op().domain().isEmpty());
            assertClose(expected, Plan.compile(back, x.shape()).runSingle(x), name + " via ONNX");
            Files.write(dir.resolve(name + ".onnx"), onnx);
        }
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "Debian's python3 is absent");
        Process p = new ProcessBuilder(python.toString(), "-c", """
                import sys, os, onnx
                for f in sorted(os.listdir(sys.argv[1])):
                    m = onnx.load(os.path.join(sys.argv[1], f))
                    onnx.checker.check_model(m, full_check=True)
                    print(f, "ok")
                """, dir.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(!out.contains("No module named 'onnx'"), "python3 has no onnx package");
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("resnet18.onnx ok", "mobilenet_v2.onnx ok", "googlenet_bvlc.onnx ok", "lenet300.onnx ok");
    }

    @Test
    void theLogSaysWhatEachPassChanged() {
        GraphOptimizer.Optimized o = GraphOptimizer.standard().optimize(model("resnet18", 1));
        assertThat(o.log()).anyMatch(l -> l.startsWith("fold-batchnorm: folded 'bn1' (BatchNormalization) into 'conv1'"));
        assertThat(o.log()).anyMatch(l -> l.startsWith("fuse-add-relu: fused"));
        assertThat(o.summary()).contains("fold-batchnorm 20", "fuse-add-relu 8");
        assertThat(o.graph().nodes().stream().filter(n -> n.op().opType().equals("FusedAdd"))).hasSize(8);
    }
}
