package dev.minnow.compression.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Parameter;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.SoftmaxCrossEntropy;
import dev.minnow.engine.train.TrainConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CentroidFineTuningTest {

    @Test
    void centroidGradientSumsTheGradientsOfTheWeightsSharingIt() {
        // codes 1 2 1 0 2 1: c1 gets 0.1 - 0.3 + 0.6 = 0.4, c2 gets 0.2 + 0.5 = 0.7, the zero code nothing
        float[] grad = {0.1f, 0.2f, -0.3f, 0.4f, 0.5f, 0.6f};
        byte[] codes = {1, 2, 1, 0, 2, 1};
        float[] out = new float[4];
        CentroidFineTuning.centroidGradient(grad, 0, codes, out);
        assertThat(out[0]).isZero();
        assertThat(out[1]).isCloseTo(0.4f, within(1e-6f));
        assertThat(out[2]).isCloseTo(0.7f, within(1e-6f));
        assertThat(out[3]).isZero();
        // with an offset into a larger buffer
        float[] padded = new float[8];
        System.arraycopy(grad, 0, padded, 2, 6);
        CentroidFineTuning.centroidGradient(padded, 2, codes, out);
        assertThat(out[1]).isCloseTo(0.4f, within(1e-6f));
    }

    private static Graph tinyNet(long seed) {
        ModelBuilder b = new ModelBuilder("tiny", seed);
        String x = b.input("x", Shape.UNKNOWN, 1, 2, 3);
        x = b.relu(b.dense(b.flatten(x), 5));
        return b.output(b.dense(x, 3)).build();
    }

    private static double loss(Graph g, Tensor x, int[] labels) {
        Plan p = Plan.compile(g, Map.of("x", x.shape()), PlanOptions.inference().withThreads(1));
        Tensor logits = p.runSingle(x);
        return SoftmaxCrossEntropy.lossAndGradient(logits, labels, null);
    }

    /**
     * One step of plain SGD moves each centroid by -lr * dL/dc_k, where dL/dc_k is measured here by
     * central finite differences of the loss in c_k (an independent reference for the summed rule).
     */
    @Test
    void oneStepMovesEachCentroidAlongTheFiniteDifferenceGradient() {
        Graph g = tinyNet(5);
        Tensor w1 = g.initializer("fc1.weight");
        w1.data()[0] = 0f;                    // one pruned weight
        w1.data()[7] = 0f;
        Map<String, SharedWeights> layers = new LinkedHashMap<>();
        layers.put("fc1.weight", WeightSharing.cluster("fc1.weight", w1, 2, KMeansInit.LINEAR, 0));
        layers.put("fc2.weight", WeightSharing.cluster("fc2.weight", g.initializer("fc2.weight"), 2,
                KMeansInit.LINEAR, 0));
        layers.forEach((n, s) -> s.writeTo(g.initializer(n)));

        Random r = new Random(1);
        int n = 4;
        Tensor x = Tensor.zeros(n, 1, 2, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) r.nextGaussian();
        }
        int[] labels = {0, 2, 1, 2};

        // dL/dc by finite differences, in double precision around the float weights
        Map<String, double[]> numeric = new LinkedHashMap<>();
        double eps = 1e-3;
        for (SharedWeights s : layers.values()) {
            double[] d = new double[s.codebook().size()];
            for (int k = 1; k < d.length; k++) {
                float c = s.codebook().get(k);
                s.codebook().data()[k] = (float) (c + eps);
                s.writeTo(g.initializer(s.name()));
                double plus = loss(g, x, labels);
                s.codebook().data()[k] = (float) (c - eps);
                s.writeTo(g.initializer(s.name()));
                double minus = loss(g, x, labels);
                s.codebook().data()[k] = c;
                s.writeTo(g.initializer(s.name()));
                d[k] = (plus - minus) / (2 * eps);
            }
            numeric.put(s.name(), d);
        }
        Map<String, float[]> before = new LinkedHashMap<>();
        layers.forEach((name, s) -> before.put(name, s.codebook().toFloatArray()));
        Tensor bias = g.initializer("fc2.bias").copy();
        double lossBefore = loss(g, x, labels);

        float lr = 0.1f;
        TrainConfig config = TrainConfig.of(1, n, lr).withThreads(1);
        CentroidFineTuning ft = new CentroidFineTuning(g, layers, config, new Sgd(0f, false, 0f), new Sgd(0f, false, 0f));
        float l = ft.step(x, labels, lr);
        assertThat((double) l).isCloseTo(lossBefore, within(1e-5));

        for (SharedWeights s : layers.values()) {
            double[] d = numeric.get(s.name());
            float[] c0 = before.get(s.name());
            assertThat(s.codebook().get(0)).isZero();
            for (int k = 1; k < d.length; k++) {
                double moved = (c0[k] - s.codebook().get(k)) / lr;
                assertThat(moved).as("%s centroid %d", s.name(), k).isCloseTo(d[k], within(2e-3 + 1e-2 * Math.abs(d[k])));
            }
            // weights follow their centroids; pruned ones stay zero
            Tensor w = g.initializer(s.name());
            for (int i = 0; i < w.size(); i++) {
                assertThat(w.get(i)).isEqualTo(s.codebook().get(s.code(i)));
            }
        }
        assertThat(g.initializer("fc1.weight").get(0)).isZero();
        assertThat(g.initializer("fc1.weight").get(7)).isZero();
        // unclustered parameters train as usual
        assertThat(g.initializer("fc2.bias").contentEquals(bias)).isFalse();
        Parameter book = ft.codebooks().get("fc1.weight");
        assertThat(book.mask().get(0)).isZero();
    }
}
