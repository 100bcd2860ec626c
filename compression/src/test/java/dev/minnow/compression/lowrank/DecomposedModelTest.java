package dev.minnow.compression.lowrank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.compression.prune.FineTuning;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A whole small network, decomposed by all three methods: it exports, reloads, and fine-tunes. */
class DecomposedModelTest {

    /** x [N, 2, 6, 6] -> conv1 8@3x3 pad 1 -> relu -> conv2 8@3x3 -> relu -> flatten -> fc1 128 -> 24 -> relu -> fc2 3. */
    static Graph smallCnn(long seed) {
        ModelBuilder b = new ModelBuilder("small_cnn", seed);
        String x = b.input("x", Shape.UNKNOWN, 2, 6, 6);
        x = b.relu(b.conv(x, ConvSpec.of(8, 3).withPad(1)));
        x = b.relu(b.conv(x, ConvSpec.of(8, 3)));
        x = b.relu(b.dense(b.flatten(x), 24));
        return b.output(b.dense(x, 3)).build();
    }

    @Test
    void decomposedGraphsExportToOnnxAndNativeFilesAndComputeTheSameAfterReading() throws Exception {
        Graph g = smallCnn(1);
        Graph tucker = LowRankDecomposition.apply(g, new LowRankMethod.Tucker(RankRule.channels(0.5)), List.of("conv1"))
                .graph();
        Graph cp = LowRankDecomposition.apply(tucker, new LowRankMethod.Cp(3, 30, 0, 1), List.of("conv2")).graph();
        Graph all = LowRankDecomposition.apply(cp, new LowRankMethod.Svd(RankRule.rank(4)), List.of("fc1")).graph();
        assertThat(all.nodes()).extracting(n -> n.op().opType()).containsSubsequence("Conv", "Conv", "Conv", "Relu",
                "Conv", "Conv", "Conv", "Conv", "Relu", "Gemm", "Gemm", "Relu", "Gemm");
        Graph fromOnnx = OnnxReader.read(OnnxWriter.toBytes(all), "decomposed.onnx");
        Graph fromNative = ModelFile.fromBytes(ModelFile.toBytes(all, Map.of()), "decomposed.mnw").graph();
        LowRankDecompositionTest.assertSameOutputs(all, fromOnnx, Shape.of(3, 2, 6, 6), 1e-6);
        LowRankDecompositionTest.assertSameOutputs(all, fromNative, Shape.of(3, 2, 6, 6), 1e-6);
    }

    @Test
    void factorsAreTrainableAndFineTuningRecoversAccuracy() {
        ImageDataset train = data(600, 1);
        ImageDataset test = data(300, 2);
        Graph g = smallCnn(3);
        FineTuning phase = new FineTuning(TrainConfig.of(4, 32, 0.05f).withThreads(1), () -> new Sgd(0.9f, true, 0f), null);
        phase.run(g, null, train, null);
        double trained = Evaluation.of(g, test, 100, 1).accuracy();
        assertThat(trained).isGreaterThan(0.6);

        LowRankDecomposition.Result r = LowRankDecomposition.apply(g, new LowRankMethod.Svd(RankRule.rank(2)),
                List.of("fc1"));
        Graph d = r.graph();
        String w1 = d.node("fc1.svd_in").input(1);
        String w2 = d.node("fc1.svd_out").input(1);
        assertThat(Trainer.trainableInitializers(d)).contains(w1, w2);
        double decomposed = Evaluation.of(d, test, 100, 1).accuracy();
        float[] before = d.initializer(w1).toFloatArray();
        phase.withEpochs(3).run(d, null, train, null);
        double tuned = Evaluation.of(d, test, 100, 1).accuracy();
        assertThat(d.initializer(w1).toFloatArray()).isNotEqualTo(before);
        assertThat(tuned).isGreaterThan(decomposed).isGreaterThan(0.6);
        // the source graph kept its own weights
        assertThat(g.initializer("fc1.weight")).isNotNull();
    }

    /** 6x6 two-channel images; the label says which of three quadrant sums of channel 0 is largest. */
    static ImageDataset data(int n, long seed) {
        Random r = new Random(seed);
        float[] pixels = new float[n * 72];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            double[] sums = new double[3];
            for (int p = 0; p < 72; p++) {
                float v = (float) r.nextGaussian();
                pixels[i * 72 + p] = v;
                if (p < 36) {
                    int row = p / 6;
                    int col = p % 6;
                    sums[row < 3 ? (col < 3 ? 0 : 1) : 2] += v;
                }
            }
            labels[i] = sums[0] >= sums[1] && sums[0] >= sums[2] ? 0 : sums[1] >= sums[2] ? 1 : 2;
        }
        return new ImageDataset("quadrants", 2, 6, 6, pixels, labels, 3);
    }
}
