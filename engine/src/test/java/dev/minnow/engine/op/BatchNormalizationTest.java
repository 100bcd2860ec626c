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

class BatchNormalizationTest {

    static List<OpFixtures.Case> cases() {
        return OpFixtures.load("batchnorm.bin");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchAndOnnxNodeTests(OpFixtures.Case c) {
        OpFixtures.check(c);
    }

    @Test
    void fixturesIncludeTheInferenceNodeTests() {
        assertThat(cases()).extracting(OpFixtures.Case::name).contains("onnx:test_batchnorm_example",
                "onnx:test_batchnorm_epsilon", "rank 2", "rank 5");
    }

    @Test
    void normalisesEachChannelByHand() {
        // channel 0: mean 1, var 4 (epsilon 0) -> (x - 1) / 2 * 3 + 10; channel 1: identity scaled by -1
        Tensor x = Tensor.of(Shape.of(2, 2, 1), 1, 0, 5, 2);
        Tensor scale = Tensor.of(Shape.of(2), 3, -1);
        Tensor bias = Tensor.of(Shape.of(2), 10, 0);
        Tensor mean = Tensor.of(Shape.of(2), 1, 0);
        Tensor var = Tensor.of(Shape.of(2), 4, 1);
        Tensor y = run(new BatchNormalization(0f, 0.9f), x, scale, bias, mean, var)[0];
        assertThat(y.toFloatArray()).containsExactly(10, 0, 16, -2);
    }

    @Test
    void readsAttributesOfOldAndNewOpsets() {
        Attributes v15 = Attributes.builder().set("epsilon", 1e-3f).set("momentum", 0.5f).set("training_mode", 0L).build();
        BatchNormalization bn = BatchNormalization.fromOnnx(v15, 15);
        assertThat(bn).isEqualTo(new BatchNormalization(1e-3f, 0.5f)).hasSameHashCodeAs(new BatchNormalization(1e-3f, 0.5f));
        assertThat(BatchNormalization.fromOnnx(bn.attributes(), 13)).isEqualTo(bn);
        assertThat(new BatchNormalization().attributes().isEmpty()).isTrue();
        // PyTorch's opset-6 exports carry is_test = 1; opsets 7-8 may carry spatial = 1
        assertThat(BatchNormalization.fromOnnx(Attributes.builder().set("is_test", 1L).set("epsilon", 1e-5f).build(), 6))
                .isEqualTo(new BatchNormalization());
        assertThat(BatchNormalization.fromOnnx(Attributes.builder().set("spatial", 1L).build(), 7))
                .isEqualTo(new BatchNormalization());
        assertThat(bn.toString()).startsWith("BatchNormalization{epsilon=0.001");
    }

    @Test
    void refusesOldTrainingAndPerActivationModes() {
        assertThatThrownBy(() -> BatchNormalization.fromOnnx(Attributes.builder().set("training_mode", 2L).build(), 15))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("training_mode must be 0 or 1, found 2");
        assertThatThrownBy(() -> BatchNormalization.fromOnnx(Attributes.builder().set("is_test", 0L).build(), 6))
                .hasMessageContaining("is_test = 0");
        assertThatThrownBy(() -> BatchNormalization.fromOnnx(Attributes.builder().set("spatial", 0L).build(), 7))
                .hasMessageContaining("spatial = 0");
        assertThatThrownBy(() -> BatchNormalization.fromOnnx(Attributes.builder().set("is_test", 1L).build(), 9))
                .hasMessageContaining("'is_test' belongs to opsets before 7");
    }

    @Test
    void explainsShapeErrors() {
        BatchNormalization bn = new BatchNormalization();
        assertThatThrownBy(() -> bn.inferOutputs(floats(Shape.of(2, 3, 4), Shape.of(3), Shape.of(3), Shape.of(4), Shape.of(3))))
                .hasMessage("input_mean must have shape [C] = [3] for X [2, 3, 4], found [4]");
        assertThatThrownBy(() -> bn.inferOutputs(floats(Shape.of(2, 3, 4), Shape.of(1, 3), Shape.of(3), Shape.of(3), Shape.of(3))))
                .hasMessageContaining("scale must have shape [C] = [3]");
        assertThatThrownBy(() -> bn.inferOutputs(floats(Shape.of(3), Shape.of(3), Shape.of(3), Shape.of(3), Shape.of(3))))
                .hasMessageContaining("rank >= 2");
        assertThatThrownBy(() -> bn.inferOutputs(floats(Shape.of(2, 3), Shape.of(3))))
                .hasMessageContaining("expected 5 input(s), got 2");
    }
}
