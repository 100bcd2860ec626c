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

class AveragePoolTest {

    static List<OpFixtures.Case> torchCases() {
        return OpFixtures.load("averagepool.bin", false);
    }

    static List<OpFixtures.Case> onnxNodeTests() {
        return OpFixtures.load("averagepool.bin", true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("torchCases")
    void matchesPyTorch(OpFixtures.Case c) {
        OpFixtures.check(c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("onnxNodeTests")
    void passesOnnxNodeTests(OpFixtures.Case c) {
        OpFixtures.check(c);
    }

    @Test
    void fixturesIncludeTheNodeTestsThatMatter() {
        assertThat(onnxNodeTests()).extracting(OpFixtures.Case::name).contains(
                "onnx:test_averagepool_2d_ceil", "onnx:test_averagepool_2d_precomputed_pads_count_include_pad",
                "onnx:test_averagepool_2d_same_lower", "onnx:test_averagepool_2d_precomputed_same_upper");
    }

    @Test
    void countIncludePadDecidesTheDivisorByHand() {
        // 2x2 image of ones... and of 1..4; kernel 3, pad 1, stride 1 -> 2x2 output, each window sees all 4 inputs
        Tensor x = Tensor.of(Shape.of(1, 1, 2, 2), 1, 2, 3, 4);
        SlidingWindow w = SlidingWindow.of2d(3, 1, 1);
        assertThat(run(new AveragePool(w, false), x)[0].toFloatArray()).containsExactly(2.5f, 2.5f, 2.5f, 2.5f);
        assertThat(run(new AveragePool(w, true), x)[0].toFloatArray())
                .containsExactly(10f / 9, 10f / 9, 10f / 9, 10f / 9);
    }

    @Test
    void aCeilModeOverhangIsNotChargedEvenWhenPaddingCounts() {
        // 5 inputs, kernel 2, stride 2, ceil: windows {1,2}, {3,4}, {5}; the last one hangs past the
        // end where there is no padding, so it divides by 1 with either setting
        Tensor x = Tensor.of(Shape.of(1, 1, 5), 1, 2, 3, 4, 5);
        SlidingWindow w = SlidingWindow.of(2).withStrides(2).withCeilMode(true);
        assertThat(run(new AveragePool(w, true), x)[0].toFloatArray()).containsExactly(1.5f, 3.5f, 5f);
        assertThat(run(new AveragePool(w, false), x)[0].toFloatArray()).containsExactly(1.5f, 3.5f, 5f);
        // with pad 1 at both ends: windows {p,1}, {2,3}, {4,5}, and ceil adds nothing new
        SlidingWindow padded = SlidingWindow.of(2).withStrides(2).withPads(1, 1).withCeilMode(true);
        assertThat(run(new AveragePool(padded, true), x)[0].toFloatArray()).containsExactly(0.5f, 2.5f, 4.5f);
        assertThat(run(new AveragePool(padded, false), x)[0].toFloatArray()).containsExactly(1f, 2.5f, 4.5f);
    }

    @Test
    void globalStyleAveragingOf3dInput() {
        Tensor x = Tensor.of(Shape.of(1, 1, 2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
        Tensor y = run(new AveragePool(SlidingWindow.of(2, 2, 2), false), x)[0];
        assertThat(y.shape()).isEqualTo(Shape.of(1, 1, 1, 1, 1));
        assertThat(y.toFloatArray()).containsExactly(4.5f);
    }

    @Test
    void roundTripsAttributesAndRefusesDilations() {
        AveragePool pool = new AveragePool(SlidingWindow.of2d(3, 2, 1).withCeilMode(true), true);
        assertThat(AveragePool.fromOnnx(pool.attributes())).isEqualTo(pool).hasSameHashCodeAs(pool);
        assertThat(pool).isNotEqualTo(new AveragePool(SlidingWindow.of2d(3, 2, 1).withCeilMode(true), false));
        assertThat(pool.toString()).contains("count_include_pad=1");
        assertThatThrownBy(() -> AveragePool.fromOnnx(Attributes.builder().set("kernel_shape", new long[] {2})
                .set("dilations", new long[] {2}).build())).hasMessageContaining("dilations (opset 19) are not supported");
        assertThatThrownBy(() -> new AveragePool(SlidingWindow.of(2).withDilations(1), false))
                .hasMessageContaining("dilations (opset 19)");
        assertThatThrownBy(() -> AveragePool.fromOnnx(Attributes.builder().set("strides", new long[] {2}).build()))
                .hasMessageContaining("AveragePool needs kernel_shape");
    }

    @Test
    void explainsShapeErrors() {
        AveragePool pool = AveragePool.of2d(2, 2, 0);
        assertThatThrownBy(() -> pool.inferOutputs(floats(Shape.of(4, 4))))
                .hasMessageContaining("X must be N x C x D1 [x D2 [x D3]]").hasMessageContaining("[4, 4]");
        assertThatThrownBy(() -> pool.inferOutputs(floats(Shape.of(1, 1, 4, 4), Shape.of(1))))
                .hasMessageContaining("expected 1 input(s), got 2");
    }
}
