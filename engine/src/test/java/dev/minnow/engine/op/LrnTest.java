package dev.minnow.engine.op;

import static dev.minnow.engine.op.OpFixtures.floats;
import static dev.minnow.engine.op.OpFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LrnTest {

    static List<OpFixtures.Case> cases() {
        return OpFixtures.load("lrn.bin");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchAndOnnxNodeTests(OpFixtures.Case c) {
        OpFixtures.check(c);
    }

    @Test
    void fixturesIncludeAnEvenSizeAndTheNodeTests() {
        assertThat(cases()).extracting(OpFixtures.Case::name).contains("even size 4", "onnx:test_lrn",
                "onnx:test_lrn_default");
    }

    @Test
    void normalisesAcrossNeighbouringChannelsByHand() {
        // channels 1, 2, 3 at one position; size 3, alpha 3 (alpha/size = 1), beta 1, bias 1:
        // c0 sees 1+4 -> 1/6; c1 sees 1+4+9 -> 2/15; c2 sees 4+9 -> 3/14
        Tensor x = Tensor.of(Shape.of(1, 3, 1), 1, 2, 3);
        assertThat(run(new Lrn(3, 3f, 1f, 1f), x)[0].toFloatArray()).containsExactly(1f / 6, 2f / 15, 3f / 14);
        // size 2 reaches one channel after (ceil(1/2) = 1), none before: c0 {1,2}, c1 {2,3}, c2 {3}
        assertThat(run(new Lrn(2, 2f, 1f, 1f), x)[0].toFloatArray()).containsExactly(1f / 6, 2f / 14, 3f / 10);
        // beta 0.5 on a single channel: x / sqrt(bias + alpha * x^2)
        Tensor one = Tensor.of(Shape.of(1, 1, 1, 1), 2);
        assertThat(run(new Lrn(1, 1f, 0.5f, 5f), one)[0].toFloatArray()).containsExactly(2f / 3);
    }

    @Test
    void readsAttributesWithOnnxDefaults() {
        Lrn lrn = Lrn.fromOnnx(Attributes.builder().set("size", 5L).build());
        assertThat(lrn).isEqualTo(new Lrn(5, 1e-4f, 0.75f, 1f)).hasSameHashCodeAs(new Lrn(5, 1e-4f, 0.75f, 1f));
        assertThat(Lrn.fromOnnx(lrn.attributes())).isEqualTo(lrn);
        assertThat(lrn.toString()).startsWith("LRN{size=5");
        assertThat(lrn).isNotEqualTo(new Lrn(5, 1e-4f, 0.75f, 2f));
    }

    @Test
    void explainsErrors() {
        assertThatThrownBy(() -> Lrn.fromOnnx(Attributes.empty())).hasMessageContaining("LRN needs the attribute 'size'");
        assertThatThrownBy(() -> new Lrn(0, 1, 1, 1)).hasMessageContaining("size must be >= 1");
        assertThatThrownBy(() -> new Lrn(3, 1, 1, 1).inferOutputs(floats(Shape.of(5))))
                .hasMessageContaining("rank >= 2");
    }
}
