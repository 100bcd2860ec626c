package dev.minnow.zoo.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.data.Batches;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Parameter;
import dev.minnow.engine.train.Trainer;
import dev.minnow.zoo.data.EmbeddedFashionMnist;
import dev.minnow.zoo.train.Recipe;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The compact designs of docs/compact-designs.md: their cost counted by hand from the layer
 * tables in their Javadoc (which checks strides, widths and where each block sits), a few
 * training steps on the embedded subset with falling loss, and an ONNX round trip that computes
 * the same logits.
 */
class CompactDesignsTest {

    private static Graph build(String name) {
        return switch (name) {
            case TinyMobileNet.NAME -> TinyMobileNet.build(10, 1, 28, 28, 7);
            case TinyShuffleNet.NAME -> TinyShuffleNet.build(10, 1, 28, 28, 7);
            case TinySqueezeNet.NAME -> TinySqueezeNet.build(10, 1, 28, 28, 7);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    void macsAreTheHandCountedSumsOfTheirLayers() {
        // MobileNet: stem 3x3/2 to 14x14; per block expand 1x1, depthwise 3x3 (at the output size), project 1x1
        long mobile = 196L * 16 * 9                                   // stem
                + 196 * 16 * 9 + 196 * 16 * 16                         // (1,16,1,1) at 14x14: no expansion
                + 196 * 16 * 64 + 49 * 64 * 9 + 49 * 64 * 24           // (4,24) stride 2: 14 -> 7
                + 49 * 24 * 96 + 49 * 96 * 9 + 49 * 96 * 24            // (4,24) at 7x7
                + 49 * 24 * 96 + 49 * 96 * 9 + 49 * 96 * 32            // (4,32) at 7x7
                + 49 * 32 * 128 + 49 * 128 * 9 + 49 * 128 * 32         // (4,32) at 7x7
                + 49 * 32 * 128 + 16 * 128 * 9 + 16 * 128 * 64         // (4,64) stride 2: 7 -> 4
                + 16 * 64 * 256 + 256 * 10;                            // last 1x1, fc
        // ShuffleNet: stride-2 unit = branch1 (dw/2, 1x1) + branch2 (1x1 at the input size, dw/2, 1x1);
        // stride-1 unit = 1x1, dw, 1x1 on half of the channels
        long shuffle = 196L * 24 * 9
                + 49 * 24 * 9 + 49 * 24 * 24 + 196 * 24 * 24 + 49 * 24 * 9 + 49 * 24 * 24     // stage2.0, 14 -> 7
                + 49 * 24 * 24 + 49 * 24 * 9 + 49 * 24 * 24                                   // stage2.1
                + 16 * 48 * 9 + 16 * 48 * 48 + 49 * 48 * 48 + 16 * 48 * 9 + 16 * 48 * 48     // stage3.0, 7 -> 4
                + 16 * 48 * 48 + 16 * 48 * 9 + 16 * 48 * 48                                   // stage3.1
                + 4 * 96 * 9 + 4 * 96 * 96 + 16 * 96 * 96 + 4 * 96 * 9 + 4 * 96 * 96         // stage4.0, 4 -> 2
                + 4 * 96 * 96 + 4 * 96 * 9 + 4 * 96 * 96                                       // stage4.1
                + 4 * 192 * 256 + 256 * 10;                                                    // conv5, fc
        // SqueezeNet: fire = squeeze 1x1, expand 1x1 and 3x3 from the squeezed channels
        long squeeze = 196L * 32 * 9
                + 196 * 32 * 8 + 196 * 8 * 32 + 196 * 8 * 32 * 9       // fire2 at 14x14
                + 196 * 64 * 8 + 196 * 8 * 32 + 196 * 8 * 32 * 9       // fire3
                + 49 * 64 * 16 + 49 * 16 * 64 + 49 * 16 * 64 * 9       // fire4 at 7x7
                + 49 * 128 * 16 + 49 * 16 * 64 + 49 * 16 * 64 * 9      // fire5
                + 49 * 128 * 10;                                       // conv10
        assertThat(ModelCost.of(build(TinyMobileNet.NAME), 1, 28, 28).macs()).isEqualTo(mobile);
        assertThat(ModelCost.of(build(TinyShuffleNet.NAME), 1, 28, 28).macs()).isEqualTo(shuffle);
        assertThat(ModelCost.of(build(TinySqueezeNet.NAME), 1, 28, 28).macs()).isEqualTo(squeeze);
        // all of them between 1 and 5 M MACs, LeNet-5's range, with far fewer parameters than its 431 k
        for (String n : List.of(TinyMobileNet.NAME, TinyShuffleNet.NAME, TinySqueezeNet.NAME)) {
            ModelCost c = ModelCost.of(build(n), 1, 28, 28);
            assertThat(c.macs()).as(n).isBetween(1_000_000L, 5_000_000L);
            assertThat(c.parameters()).as(n).isLessThan(150_000L);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {TinyMobileNet.NAME, TinyShuffleNet.NAME, TinySqueezeNet.NAME})
    void trainsWithFallingLossAndSurvivesAnOnnxRoundTrip(String name) throws Exception {
        Graph g = build(name);
        Recipe recipe = Recipe.defaultFor(name);
        FashionMnist.Split data = EmbeddedFashionMnist.load(recipe.norm());
        Trainer trainer = new Trainer(g, recipe.withBatch(32).config(1, 2), recipe.optimizer());
        List<Parameter> params = new ArrayList<>(trainer.parameters().values());
        Batches batches = new Batches(data.train(), 32, true, 1);
        List<Float> losses = new ArrayList<>();
        for (int step = 0; step < 24 && batches.hasNext(); step++) {
            Tensor x = batches.next();
            losses.add(trainer.trainStep(x, batches.labels(), recipe.lr(), params));
        }
        double first = losses.subList(0, 6).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        double last = losses.subList(losses.size() - 6, losses.size()).stream().mapToDouble(Float::doubleValue)
                .average().orElseThrow();
        assertThat(first).as(name + " starts near ln 10").isBetween(1.8, 3.5);
        assertThat(last).as(name + " loss after 24 steps").isLessThan(first - 0.3);

        Graph back = OnnxReader.read(OnnxWriter.toBytes(g), name + ".onnx");
        Tensor x = Tensor.zeros(4, 1, 28, 28);
        for (int i = 0; i < 4; i++) {
            System.arraycopy(data.test().image(i).toFloatArray(), 0, x.data(), x.offset() + i * 784, 784);
        }
        float[] expected = Plan.compile(g, Shape.of(4, 1, 28, 28)).runSingle(x).toFloatArray();
        float[] actual = Plan.compile(back, Shape.of(4, 1, 28, 28)).runSingle(x).toFloatArray();
        assertThat(actual).hasSize(40);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as(name + " logit " + i).isCloseTo(expected[i], within(1e-4f));
        }
    }
}
