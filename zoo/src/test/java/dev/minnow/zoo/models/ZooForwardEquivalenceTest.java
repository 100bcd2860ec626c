package dev.minnow.zoo.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each model computes what PyTorch computes: weights and input are set by a formula that
 * {@code reference_logits.py} (next to the fixture) applies to the torchvision models, and to
 * PyTorch transcriptions of the others, in the same parameter order; the logits must agree.
 * This checks the wiring the parameter counts cannot see: the order of concatenated branches,
 * where shuffles, splits and shortcuts go, paddings and ceil modes. Inputs of 64x64 (the
 * smallest size that keeps the ImageNet layout) keep the naive kernels fast; AlexNet runs at
 * 224x224, where its adaptive pool is the identity.
 */
class ZooForwardEquivalenceTest {

    @Test
    void everyModelButVggGivesPyTorchsLogits() throws IOException {
        List<String> checked = new ArrayList<>();
        for (String line : fixture()) {
            String[] f = line.trim().split(" ");
            String name = f[0];
            int size = Integer.parseInt(f[1]);
            float[] expected = new float[f.length - 2];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Float.parseFloat(f[i + 2]);
            }
            Graph g = Zoo.build(name, expected.length, 3, size, size, 1);
            fillLikePyTorch(g);
            Tensor x = Tensor.zeros(1, 3, size, size);
            float[] xs = x.data();
            for (int i = 0; i < x.size(); i++) {
                xs[x.offset() + i] = (float) (2 * uniform(-1, i) - 1);
            }
            float[] y = Plan.compile(g, Shape.of(1, 3, size, size)).runSingle(x).toFloatArray();
            float scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < expected.length; i++) {
                assertThat(y[i]).as(name + " logit " + i).isCloseTo(expected[i], within(1e-3f * scale));
            }
            checked.add(name);
        }
        assertThat(checked).containsExactlyInAnyOrderElementsOf(
                Zoo.names().stream().filter(n -> !n.startsWith("lenet") && !n.equals("vgg16")).toList());
    }

    /** The weights of reference_logits.py, parameter t element i, in ModelCost.parameterNames order. */
    private static void fillLikePyTorch(Graph g) {
        List<String> names = ModelCost.parameterNames(g);
        for (int t = 0; t < names.size(); t++) {
            Tensor p = g.initializer(names.get(t));
            float[] d = p.data();
            Shape s = p.shape();
            double fanIn = s.rank() >= 2 ? (double) s.size() / s.dim(0) : 1;
            for (int i = 0; i < s.size(); i++) {
                double u = 2 * uniform(t, i) - 1;
                double v = s.rank() >= 2 ? u * Math.sqrt(6 / fanIn) : names.get(t).endsWith("weight") ? 1 + 0.1 * u : 0.01 * u;
                d[p.offset() + i] = (float) v;
            }
        }
    }

    /** A 32-bit integer hash of (t, i) scaled to [0, 1), the same as reference_logits.py's. */
    static double uniform(int t, long i) {
        long mask = 0xFFFFFFFFL;
        long x = (i * 2654435761L + ((t * 40503L + 12345) & mask)) & mask;
        x ^= x >>> 16;
        x = (x * 0x45D9F3BL) & mask;
        x ^= x >>> 16;
        return x / 4294967296.0;
    }

    private static List<String> fixture() throws IOException {
        InputStream in = ZooForwardEquivalenceTest.class.getResourceAsStream("reference_logits.txt");
        assertThat(in).as("reference_logits.txt on the test class path").isNotNull();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            return r.lines().filter(l -> !l.isBlank()).toList();
        }
    }
}
