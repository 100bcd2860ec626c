package dev.minnow.engine.op;

import static dev.minnow.engine.op.OpFixtures.floats;
import static dev.minnow.engine.op.OpFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MaxPoolTest {

    static List<OpFixtures.Case> torchCases() {
        return OpFixtures.load("maxpool.bin", false);
    }

    static List<OpFixtures.Case> onnxNodeTests() {
        return OpFixtures.load("maxpool.bin", true);
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
    void fixturesIncludeIndicesStorageOrderAndUint8() {
        assertThat(onnxNodeTests()).extracting(OpFixtures.Case::name).contains(
                "onnx:test_maxpool_with_argmax_2d_precomputed_strides", "onnx:test_maxpool_2d_uint8",
                "onnx:test_maxpool_2d_ceil", "onnx:test_maxpool_2d_dilations", "onnx:test_maxpool_2d_same_lower");
        assertThat(torchCases()).filteredOn(c -> c.outputs().size() == 2).hasSizeGreaterThanOrEqualTo(5);
    }

    private static final Tensor FOUR_BY_FOUR = Tensor.of(Shape.of(1, 1, 4, 4),
            1, 5, 2, 0,
            3, 4, 8, 7,
            9, 0, 6, 6,
            2, 1, 6, 3);

    @Test
    void poolsTwoByTwoBlocksWithIndicesByHand() {
        Tensor[] out = run(MaxPool.of2d(2, 2, 0), FOUR_BY_FOUR);
        assertThat(out[0].toFloatArray()).containsExactly(5, 8, 9, 6);
        // flat row-major positions; the tie 6/6 keeps the first
        assertThat(out[1].toLongArray()).containsExactly(1, 6, 8, 10);
        // storage_order 1 counts down columns first: (h, w) -> h + 4*w
        Tensor[] col = run(new MaxPool(SlidingWindow.of2d(2, 2, 0), 1), FOUR_BY_FOUR);
        assertThat(col[1].toLongArray()).containsExactly(4, 9, 2, 10);
    }

    @Test
    void indicesCountTheWholeTensorAcrossChannels() {
        Tensor x = Tensor.of(Shape.of(1, 2, 1, 3), 1, 3, 2, 9, 8, 7);
        Tensor[] out = run(new MaxPool(SlidingWindow.of(1, 3)), x);
        assertThat(out[0].toFloatArray()).containsExactly(3, 9);
        assertThat(out[1].toLongArray()).containsExactly(1, 3);
    }

    @Test
    void paddingNeverWinsAndCeilModeAddsAPartialWindow() {
        Tensor x = Tensor.of(Shape.of(1, 1, 5), -1, -2, -3, -4, -5);
        // pad 1 on both sides, kernel 3, stride 2: windows {pad,-1,-2}, {-2,-3,-4}, {-4,-5,pad}
        assertThat(run(new MaxPool(SlidingWindow.of(3).withStrides(2).withPads(1, 1)), x)[0].toFloatArray())
                .containsExactly(-1, -2, -4);
        // kernel 2 stride 2: floor keeps 2 windows, ceil adds {-5}
        assertThat(run(new MaxPool(SlidingWindow.of(2).withStrides(2).withCeilMode(true)), x)[0].toFloatArray())
                .containsExactly(-1, -3, -5);
    }

    @Test
    void nanPropagates() {
        Tensor x = Tensor.of(Shape.of(1, 1, 4), 1, Float.NaN, 3, 2);
        assertThat(run(new MaxPool(SlidingWindow.of(2).withStrides(2)), x)[0].toFloatArray())
                .containsExactly(Float.NaN, 3);
    }

    @Test
    void poolsInt8AndUint8Exactly() {
        Tensor u = Tensor.ofBytes(Shape.of(1, 1, 4), DataType.UINT8, (byte) 200, (byte) 7, (byte) 255, (byte) 0);
        Tensor[] out = run(new MaxPool(SlidingWindow.of(2).withStrides(2)), u);
        assertThat(out[0].type()).isEqualTo(DataType.UINT8);
        assertThat(out[0].toLongArray()).containsExactly(200, 255);
        Tensor s = Tensor.ofBytes(Shape.of(1, 1, 4), DataType.INT8, (byte) -100, (byte) -7, (byte) 5, (byte) -128);
        assertThat(run(new MaxPool(SlidingWindow.of(2).withStrides(2)), s)[0].toLongArray()).containsExactly(-7, 5);
    }

    @Test
    void worksWithoutTheIndicesOutput() {
        MaxPool pool = MaxPool.of2d(2, 2, 0);
        Tensor y = Tensor.zeros(1, 1, 2, 2);
        pool.forward(new Tensor[] {FOUR_BY_FOUR}, new Tensor[] {y}, ExecutionContext.standalone(1));
        assertThat(y.toFloatArray()).containsExactly(5, 8, 9, 6);
    }

    @Test
    void roundTripsAttributes() {
        MaxPool pool = new MaxPool(SlidingWindow.of2d(3, 2, 1).withCeilMode(true).withDilations(2, 2), 1);
        Attributes a = pool.attributes();
        assertThat(a.getLong("ceil_mode", 0)).isEqualTo(1);
        assertThat(a.getLong("storage_order", 0)).isEqualTo(1);
        assertThat(MaxPool.fromOnnx(a)).isEqualTo(pool).hasSameHashCodeAs(pool);
        assertThat(pool.toString()).startsWith("MaxPool{").contains("ceil_mode=1");
        assertThat(pool).isNotEqualTo(new MaxPool(SlidingWindow.of2d(3, 2, 1).withDilations(2, 2), 1));
    }

    @Test
    void explainsErrors() {
        assertThatThrownBy(() -> MaxPool.fromOnnx(Attributes.empty())).hasMessageContaining("MaxPool needs kernel_shape");
        assertThatThrownBy(() -> MaxPool.fromOnnx(Attributes.builder().set("kernel_shape", new long[] {2})
                .set("storage_order", 2L).build())).hasMessageContaining("storage_order must be 0");
        assertThatThrownBy(() -> MaxPool.fromOnnx(Attributes.builder().set("kernel_shape", new long[] {2})
                .set("count_include_pad", 1L).build())).hasMessageContaining("does not support attribute(s) [count_include_pad]");
        MaxPool pool = MaxPool.of2d(3, 1, 0);
        assertThatThrownBy(() -> pool.inferOutputs(floats(Shape.of(1, 2, 8))))
                .hasMessageContaining("kernel_shape has 2 value(s) per side but X [1, 2, 8] has 1 spatial axes");
        assertThatThrownBy(() -> pool.inferOutputs(floats(Shape.of(1, 2, 2, 8))))
                .hasMessageContaining("input length 2 plus padding 0+0 is shorter than the kernel extent 3");
        assertThatThrownBy(() -> pool.inferOutputs(List.of(ValueInfo.of(DataType.INT64, Shape.of(1, 1, 4, 4)))))
                .hasMessageContaining("X must be FLOAT, INT8 or UINT8, found INT64");
    }
}
