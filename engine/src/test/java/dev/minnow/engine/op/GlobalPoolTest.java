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

/** {@link GlobalAveragePool} and {@link GlobalMaxPool}. */
class GlobalPoolTest {

    static List<OpFixtures.Case> cases() {
        return OpFixtures.load("globalpool.bin");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchAndOnnxNodeTests(OpFixtures.Case c) {
        OpFixtures.check(c);
    }

    @Test
    void fixturesCoverBothOpsAndTheNodeTests() {
        assertThat(cases()).extracting(OpFixtures.Case::name).contains("onnx:test_globalaveragepool",
                "onnx:test_globalmaxpool_precomputed");
        assertThat(cases()).extracting(OpFixtures.Case::opType).contains("GlobalAveragePool", "GlobalMaxPool");
    }

    @Test
    void poolsEachChannelByHand() {
        Tensor x = Tensor.of(Shape.of(1, 2, 2, 2), 1, 2, 3, 6, -1, -5, -2, -4);
        Tensor avg = run(new GlobalAveragePool(), x)[0];
        assertThat(avg.shape()).isEqualTo(Shape.of(1, 2, 1, 1));
        assertThat(avg.toFloatArray()).containsExactly(3, -3);
        assertThat(run(new GlobalMaxPool(), x)[0].toFloatArray()).containsExactly(6, -1);
    }

    @Test
    void keepsTheRankForAnySpatialRank() {
        assertThat(new GlobalAveragePool().inferOutputs(floats(Shape.of(2, 3, 7))).get(0).shape())
                .isEqualTo(Shape.of(2, 3, 1));
        assertThat(new GlobalMaxPool().inferOutputs(floats(Shape.of(2, 3, 4, 5, 6))).get(0).shape())
                .isEqualTo(Shape.of(2, 3, 1, 1, 1));
        assertThatThrownBy(() -> new GlobalAveragePool().inferOutputs(floats(Shape.of(2, 3))))
                .hasMessageContaining("X must be N x C x D1 x ... x Dr (rank >= 3), found shape [2, 3]");
    }

    @Test
    void hasNoAttributes() {
        assertThatThrownBy(() -> GlobalMaxPool.fromOnnx(Attributes.builder().set("axis", 1L).build()))
                .hasMessageContaining("GlobalMaxPool does not support attribute(s) [axis]");
        assertThat(GlobalAveragePool.fromOnnx(Attributes.empty())).isEqualTo(new GlobalAveragePool());
        assertThat(new GlobalAveragePool()).isNotEqualTo(new GlobalMaxPool());
        assertThat(new GlobalMaxPool().toString()).isEqualTo("GlobalMaxPool");
    }
}
