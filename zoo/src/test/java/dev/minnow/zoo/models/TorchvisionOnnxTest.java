package dev.minnow.zoo.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.io.npy.Npy;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The zoo's torchvision architectures as PyTorch exports them. {@code zoo/scripts/export_zoo_onnx.py}
 * (run here with Debian's {@code /usr/bin/python3}; the test skips when it lacks torch) builds each
 * model with weights set by an integer hash, randomised BatchNorm statistics included, exports it
 * to ONNX (opset 13, BN folded into the convolutions, as {@code torch.onnx.export} does by default)
 * into {@code target/onnx-cache}, and is not run again while its stamp matches. The committed
 * fixture {@code torchvision/NAME.output.npy} is PyTorch's output for the script's hash input.
 * Three checks per model, each to {@code max|diff| <= 1e-4 max|y|}:
 * <ol>
 *   <li>the ONNX file, read by {@link OnnxReader} and run by Minnow, gives PyTorch's output;</li>
 *   <li>the zoo builder, given the ONNX file's weights layer by layer (convolutions and fully
 *       connected layers in order, each shape checked), gives it too: so the builders are
 *       torchvision's architectures. Where the exporter folded a BN into the convolution before
 *       it, the builder's BN gets scale 1, mean 0, variance {@code 1 - eps} and the folded bias
 *       as its shift: the identity plus that bias;</li>
 *   <li>for the models with BN, the zoo builder with the script's own weights, BN statistics
 *       and epsilons included (the hash rule, in {@code state_dict} order), gives it as well:
 *       this checks what folding hides, the BN statistics and epsilon of every layer.</li>
 * </ol>
 */
class TorchvisionOnnxTest {
    static final List<String> MODELS = List.of("alexnet", "vgg16", "googlenet", "resnet18", "resnet50",
            "mobilenet_v2", "shufflenet_v2_x1_0", "squeezenet1_0", "squeezenet1_1");
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("scripts", "export_zoo_onnx.py");
    private static final Path CACHE = Path.of("target", "onnx-cache");
    private static final double TOLERANCE = 1e-4;

    @BeforeAll
    static void exportWithPyTorch() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PYTHON), "skipped: " + PYTHON + " is absent; the check needs Debian's "
                + "python3-torch and python3-torchvision");
        assertThat(SCRIPT).as("the export script (tests run from the zoo module's folder)").isRegularFile();
        Files.createDirectories(CACHE);
        Path log = CACHE.resolve("export.log");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(PYTHON.toString(), SCRIPT.toString(), "--out", CACHE.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("export_zoo_onnx.py took more than 20 minutes; see " + log.toAbsolutePath());
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assumeTrue(p.exitValue() != 3, "skipped: " + PYTHON + " cannot import torch/torchvision: " + output.strip());
        assertThat(p.exitValue()).as("export_zoo_onnx.py failed:\n" + output).isZero();
        System.out.printf(Locale.ROOT, "export_zoo_onnx.py: %.1f s%n%s", (System.nanoTime() - start) / 1e9, output);
    }

    static List<String> models() {
        return MODELS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void theOnnxExportAndTheZooBuilderWithItsWeightsGivePyTorchsOutput(String name) throws IOException {
        Tensor x = input(name);
        Graph onnx = OnnxReader.read(CACHE.resolve(name + ".onnx"));
        assertClose(name, "ONNX import", Plan.compile(onnx, x.shape()).runSingle(x).toFloatArray());
        Graph zoo = Zoo.build(name, 1000, 3, x.shape().dim(2), x.shape().dim(3), 1);
        copyLayerWeights(onnx, zoo);
        assertClose(name, "zoo builder, ONNX weights", Plan.compile(zoo, x.shape()).runSingle(x).toFloatArray());
    }

    /** The models with batch norm; for the others the ONNX file's weights are the script's weights. */
    static List<String> modelsWithBatchNorm() {
        return List.of("googlenet", "resnet18", "resnet50", "mobilenet_v2", "shufflenet_v2_x1_0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelsWithBatchNorm")
    void theZooBuilderWithTheScriptsWeightsGivesPyTorchsOutput(String name) throws IOException {
        Tensor x = input(name);
        Graph zoo = Zoo.build(name, 1000, 3, x.shape().dim(2), x.shape().dim(3), 1);
        assertThat(zoo.nodes()).as(name + " has batch norm").anyMatch(n -> n.op() instanceof BatchNormalization);
        fillLikeTheScript(zoo);
        assertClose(name, "zoo builder, script's weights", Plan.compile(zoo, x.shape()).runSingle(x).toFloatArray());
    }

    @Test
    void theBatchIsDynamic() throws IOException {
        Tensor x = input("squeezenet1_1");
        int n = x.size();
        Tensor two = Tensor.zeros(2, 3, x.shape().dim(2), x.shape().dim(3));
        System.arraycopy(x.data(), x.offset(), two.data(), two.offset(), n);
        System.arraycopy(x.data(), x.offset(), two.data(), two.offset() + n, n);
        Graph g = OnnxReader.read(CACHE.resolve("squeezenet1_1.onnx"));
        float[] y = Plan.compile(g, two.shape()).runSingle(two).toFloatArray();
        assertClose("squeezenet1_1", "batch 2, row 0", java.util.Arrays.copyOfRange(y, 0, 1000));
        assertClose("squeezenet1_1", "batch 2, row 1", java.util.Arrays.copyOfRange(y, 1000, 2000));
    }

    /** The script's input, {@code x_i = 2 u(-1, i) - 1}, checked against the copy it wrote beside the ONNX file. */
    private static Tensor input(String name) throws IOException {
        Tensor written = Npy.read(CACHE.resolve(name + ".input.npy"));
        Shape s = written.shape();
        Tensor x = Tensor.zeros(s);
        float[] d = x.data();
        for (int i = 0; i < x.size(); i++) {
            d[x.offset() + i] = (float) (2 * ZooForwardEquivalenceTest.uniform(-1, i) - 1);
        }
        assertThat(written.toFloatArray()).as(name + ": the hash input").containsExactly(x.toFloatArray());
        return x;
    }

    private static void assertClose(String name, String what, float[] y) throws IOException {
        float[] expected = expected(name);
        float[] fresh = Npy.read(CACHE.resolve(name + ".output.npy")).toFloatArray();
        double scale = 0;
        double diff = 0;
        double freshDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(y[i] - expected[i]));
            freshDiff = Math.max(freshDiff, Math.abs(fresh[i] - expected[i]));
        }
        System.out.printf(Locale.ROOT, "%-19s %-29s max|diff| %.3g = %.2g max|y| (max|y| %.4g)%n", name, what, diff,
                diff / scale, scale);
        assertThat(y).as(name + " " + what).hasSize(expected.length);
        assertThat(diff).as(name + " " + what + ": max|diff| against PyTorch (max|y| " + scale + "; this torch's "
                + "fresh output differs from the committed fixture by " + freshDiff + ")").isLessThanOrEqualTo(
                TOLERANCE * scale);
    }

    private static float[] expected(String name) throws IOException {
        try (InputStream in = TorchvisionOnnxTest.class.getResourceAsStream("torchvision/" + name + ".output.npy")) {
            assertThat(in).as("fixture torchvision/" + name + ".output.npy").isNotNull();
            return Npy.read(in.readAllBytes(), name + ".output.npy").toFloatArray();
        }
    }

    /** A convolution or fully connected layer: its node, weight, bias (or null) and the BN right after it (or null). */
    private record Layer(Node node, String weight, String bias, Node batchNorm) {
    }

    /** The Conv and Gemm layers of a graph, in node order, or in the order of their weights in {@code order}. */
    private static List<Layer> layers(Graph g, List<String> order) {
        List<Layer> layers = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Conv || n.op() instanceof Gemm) {
                String bias = n.inputs().size() > 2 && !n.inputs().get(2).isEmpty() ? n.inputs().get(2) : null;
                List<Node> next = g.consumers(n.outputs().get(0));
                Node bn = next.size() == 1 && next.get(0).op() instanceof BatchNormalization ? next.get(0) : null;
                layers.add(new Layer(n, n.inputs().get(1), bias, bn));
            }
        }
        if (order != null) {
            layers.sort(Comparator.comparingInt(l -> order.indexOf(l.weight())));
        }
        return layers;
    }

    /**
     * Gives the builder's layers the ONNX file's weights, in torchvision's parameter order, each
     * shape checked; a folded BN becomes the builder BN's shift (see the class comment).
     */
    private static void copyLayerWeights(Graph onnx, Graph zoo) {
        List<Layer> from = layers(onnx, null);
        List<Layer> to = layers(zoo, ModelCost.parameterNames(zoo));
        assertThat(to).as("conv/fc layers of the builder vs the ONNX file").hasSameSizeAs(from);
        for (int i = 0; i < to.size(); i++) {
            Layer s = from.get(i);
            Layer t = to.get(i);
            String where = "layer " + i + ": builder " + t.node().describe() + " <- ONNX " + s.node().describe();
            assertThat(t.node().op()).as(where).isEqualTo(s.node().op());
            copy(onnx.initializer(s.weight()), zoo.initializer(t.weight()), where + ", weight");
            Tensor shift = s.bias() == null ? null : onnx.initializer(s.bias());
            if (t.batchNorm() == null) {
                assertThat(s.batchNorm()).as(where + ": a BN the builder lacks").isNull();
                if (t.bias() != null) {
                    copy(shift, zoo.initializer(t.bias()), where + ", bias");
                } else {
                    assertThat(shift).as(where + ": a bias the builder lacks").isNull();
                }
                continue;
            }
            assertThat(t.bias()).as(where + ": builder conv before BN has a bias").isNull();
            List<String> bn = t.batchNorm().inputs();
            if (s.batchNorm() != null) {
                for (int k = 1; k <= 4; k++) {
                    copy(onnx.initializer(s.batchNorm().inputs().get(k)), zoo.initializer(bn.get(k)), where + ", BN " + k);
                }
            } else {
                float eps = ((BatchNormalization) t.batchNorm().op()).epsilon();
                fill(zoo.initializer(bn.get(1)), 1f);
                if (shift == null) {
                    fill(zoo.initializer(bn.get(2)), 0f);
                } else {
                    copy(shift, zoo.initializer(bn.get(2)), where + ", folded bias");
                }
                fill(zoo.initializer(bn.get(3)), 0f);
                fill(zoo.initializer(bn.get(4)), 1f - eps);
            }
        }
    }

    private static void copy(Tensor from, Tensor to, String what) {
        assertThat(to.shape()).as(what + " shape").isEqualTo(from.shape());
        System.arraycopy(from.data(), from.offset(), to.data(), to.offset(), from.size());
    }

    private static void fill(Tensor t, float v) {
        java.util.Arrays.fill(t.data(), t.offset(), t.offset() + t.size(), v);
    }

    /**
     * The weights of export_zoo_onnx.py: entry t of PyTorch's {@code state_dict()} (the parameters
     * in {@link ModelCost#parameterNames} order, each BN's running mean and variance right after
     * its shift), element i, from {@code s = 2 u(t, i) - 1}.
     */
    private static void fillLikeTheScript(Graph g) {
        Map<String, Node> bnByShift = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof BatchNormalization) {
                bnByShift.put(n.inputs().get(2), n);
            }
        }
        int t = 0;
        for (String name : ModelCost.parameterNames(g)) {
            Tensor p = g.initializer(name);
            double fanIn = p.rank() >= 2 ? (double) p.size() / p.shape().dim(0) : 1;
            final int entry = t++;
            setEach(p, entry, s -> p.rank() >= 2 ? s * Math.sqrt(6 / fanIn) : name.endsWith("weight") ? 1 + 0.25 * s
                    : 0.05 * s);
            Node bn = bnByShift.get(name);
            if (bn != null) {
                setEach(g.initializer(bn.inputs().get(3)), t++, s -> 0.1 * s);
                setEach(g.initializer(bn.inputs().get(4)), t++, s -> 1 + 0.5 * s);
            }
        }
    }

    private static void setEach(Tensor p, int t, java.util.function.DoubleUnaryOperator rule) {
        float[] d = p.data();
        for (int i = 0; i < p.size(); i++) {
            d[p.offset() + i] = (float) rule.applyAsDouble(2 * ZooForwardEquivalenceTest.uniform(t, i) - 1);
        }
    }
}
