package dev.minnow.compression.lowbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.op.DequantizeLowBit;
import dev.minnow.engine.op.XnorConv;
import dev.minnow.engine.op.XnorGemm;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.LearningRateSchedule;
import dev.minnow.engine.train.Regularization;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pipeline on a small CNN (conv 1->4 3x3, pool, conv 4->8 3x3 pad 1, dense 72->16, dense 16->3):
 * which layers are chosen, that the packed graph computes what the fake-quantized one computes
 * (also after a save and load), the storage counted by hand, and that straight-through training
 * learns an easy synthetic task.
 */
class LowBitQuantizerTest {

    private static Graph smallCnn(long seed) {
        ModelBuilder b = new ModelBuilder("small", seed);
        String x = b.input("x", Shape.UNKNOWN, 1, 8, 8);
        x = b.maxPool(b.conv(x, ConvSpec.of(4, 3)), 2, 2);
        x = b.conv(x, ConvSpec.of(8, 3).withPad(1));
        x = b.relu(b.dense(b.flatten(x), 16));
        return b.output(b.dense(x, 3)).build();
    }

    @Test
    void theFirstAndLastLayersStayFloat() {
        Graph g = smallCnn(1);
        List<LowBitQuantizer.Layer> layers = LowBitQuantizer.select(g, LowBitQuantizer.Mode.XNOR, false);
        assertThat(layers).extracting(LowBitQuantizer.Layer::node).containsExactly("conv2", "fc1");
        assertThat(layers).extracting(LowBitQuantizer.Layer::xnor).containsExactly(true, true);
        assertThat(layers.get(1).axis()).as("Gemm with transB: filters are rows").isEqualTo(0);
        assertThat(LowBitQuantizer.select(g, LowBitQuantizer.Mode.TERNARY_PER_LAYER, true)).hasSize(4)
                .allMatch(l -> l.axis() == LowBitWeights.PER_LAYER && !l.xnor());
    }

    @Test
    void packedGraphsComputeWhatTheFakeQuantizedOnesCompute() throws Exception {
        Graph g = smallCnn(2);
        Tensor input = randomImages(new Random(4), 3);
        for (LowBitQuantizer.Mode mode : LowBitQuantizer.Mode.values()) {
            Graph fake = LowBitQuantizer.withFakeQuantization(g, LowBitQuantizer.select(g, mode, false), mode);
            Graph packed = LowBitQuantizer.pack(fake);
            Graph loaded = ModelFile.fromBytes(ModelFile.toBytes(packed, Map.of()), "test").graph();
            float[] expected = run(fake, input);
            for (Graph candidate : List.of(packed, loaded)) {
                float[] actual = run(candidate, input);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("%s, logit %d", mode, i)
                            .isCloseTo(expected[i], offset(1e-4f * (1 + Math.abs(expected[i]))));
                }
            }
            long xnor = packed.nodes().stream().filter(n -> n.op() instanceof XnorConv).count();
            long xnorGemm = packed.nodes().stream().filter(n -> n.op() instanceof XnorGemm).count();
            long dequantize = packed.nodes().stream().filter(n -> n.op() instanceof DequantizeLowBit).count();
            boolean isXnor = mode == LowBitQuantizer.Mode.XNOR;
            assertThat(List.of(xnor, xnorGemm, dequantize)).as(mode.name())
                    .isEqualTo(isXnor ? List.of(1L, 1L, 0L) : List.of(0L, 0L, 2L));
            assertThat(packed.initializers()).doesNotContainKeys("conv2.weight", "fc1.weight")
                    .containsKeys("conv1.weight", "fc2.weight");
        }
    }

    @Test
    void storageIsCountedByHand() {
        Graph g = smallCnn(3);
        // float32: conv2 8*4*3*3 * 4 = 1152 bytes, fc1 16*72 * 4 = 4608 bytes
        // ternary: conv2 8 rows x 1 word x 2 planes x 8 B = 128 + 8 scales x 4 B = 32;
        //          fc1 16 rows x 2 words x 2 planes x 8 B = 512 + 16 x 4 = 64
        LowBitPacking.PackedSize t = LowBitPacking.packedSize(packed(g, LowBitQuantizer.Mode.TERNARY));
        assertThat(t).isEqualTo(new LowBitPacking.PackedSize(2, 1152 + 4608, 128 + 32 + 512 + 64));
        // xnor: conv2 signs [8, 3, 3, 1] x 8 B = 576 + alpha 32; fc1 signs [16, 2] x 8 B = 256 + alpha 64
        LowBitPacking.PackedSize x = LowBitPacking.packedSize(packed(g, LowBitQuantizer.Mode.XNOR));
        assertThat(x).isEqualTo(new LowBitPacking.PackedSize(2, 1152 + 4608, 576 + 32 + 256 + 64));
    }

    @Test
    void straightThroughTrainingLearnsAnEasyTask() {
        ImageDataset train = quadrants(new Random(5), 600);
        ImageDataset test = quadrants(new Random(6), 300);
        Graph g = smallCnn(7);
        Tensor before = g.initializer("conv2.weight").copy();
        TrainConfig config = new TrainConfig(4, 32, LearningRateSchedule.cosine(0.05f, 0f, 0), Regularization.NONE,
                1, 1);
        for (LowBitQuantizer.Mode mode : List.of(LowBitQuantizer.Mode.TERNARY, LowBitQuantizer.Mode.XNOR)) {
            LowBitQuantizer.Result r = LowBitQuantizer.quantize(g, mode, false, train, config, new Sgd(0.9f, true, 0f),
                    null);
            assertThat(r.history()).hasSize(4);
            assertThat(Evaluation.of(r.graph(), test, 100, 1).accuracy()).as(mode.name()).isGreaterThan(0.9);
        }
        assertThat(g.initializer("conv2.weight").contentEquals(before)).as("the float graph is left as it was").isTrue();
    }

    @Test
    void aNetworkWithoutInnerLayersIsRefused() {
        ModelBuilder b = new ModelBuilder("tiny", 1);
        String x = b.input("x", Shape.UNKNOWN, 4);
        Graph g = b.output(b.dense(b.relu(b.dense(x, 3)), 2)).build();
        assertThatThrownBy(() -> LowBitQuantizer.quantize(g, LowBitQuantizer.Mode.BINARY, false, null,
                TrainConfig.of(0, 1, 0.1f), new Sgd(0.9f, true, 0f), null))
                .hasMessageContaining("no layer to quantize").hasMessageContaining("the first and the last stay float");
    }

    private static Graph packed(Graph g, LowBitQuantizer.Mode mode) {
        return LowBitQuantizer.pack(LowBitQuantizer.withFakeQuantization(g, LowBitQuantizer.select(g, mode, false),
                mode));
    }

    private static float[] run(Graph g, Tensor input) {
        return Plan.compile(g, input.shape()).runSingle(input).toFloatArray();
    }

    private static Tensor randomImages(Random r, int n) {
        Tensor t = Tensor.zeros(n, 1, 8, 8);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }

    /** Class k of 3: a bright 4x4 square in quadrant k of an 8x8 noisy image. */
    private static ImageDataset quadrants(Random r, int n) {
        float[] pixels = new float[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(3);
            labels[i] = k;
            for (int p = 0; p < 64; p++) {
                int y = p / 8;
                int x = p % 8;
                boolean inside = (y / 4) == (k / 2) && (x / 4) == (k % 2);
                pixels[i * 64 + p] = (inside ? 1.5f : -0.5f) + 0.3f * (float) r.nextGaussian();
            }
        }
        return new ImageDataset("quadrants", 1, 8, 8, pixels, labels, 3);
    }
}
