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

class ConvTest {

    static List<OpFixtures.Case> torchCases() {
        return OpFixtures.load("conv.bin", false);
    }

    static List<OpFixtures.Case> onnxNodeTests() {
        return OpFixtures.load("conv.bin", true);
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
    void fixturesCoverTheCasesTheyClaim() {
        assertThat(torchCases()).hasSizeGreaterThanOrEqualTo(15);
        assertThat(onnxNodeTests()).extracting(OpFixtures.Case::name)
                .contains("onnx:test_conv_with_autopad_same", "onnx:test_conv_with_strides_and_asymmetric_padding");
    }

    @Test
    void sumsAWindowOfOnesByHand() {
        // x = 1..9 as a 3x3 image, a 2x2 kernel of ones, no padding: each output sums a 2x2 block
        Tensor x = Tensor.of(Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Tensor w = Tensor.of(Shape.of(1, 1, 2, 2), 1, 1, 1, 1);
        Tensor y = run(new Conv(SlidingWindow.of(2, 2), 1), x, w)[0];
        assertThat(y.shape()).isEqualTo(Shape.of(1, 1, 2, 2));
        assertThat(y.toFloatArray()).containsExactly(12, 16, 24, 28);
    }

    @Test
    void padsStridesAndBiasByHand() {
        // 3x3 kernel of ones, stride 2, pad 1 on a 3x3 image of ones: corners see 4 inputs
        Tensor x = Tensor.of(Shape.of(1, 1, 3, 3), 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Tensor w = Tensor.of(Shape.of(1, 1, 3, 3), 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Tensor b = Tensor.of(Shape.of(1), 0.5f);
        Tensor y = run(Conv.of2d(3, 2, 1), x, w, b)[0];
        assertThat(y.toFloatArray()).containsExactly(4.5f, 4.5f, 4.5f, 4.5f);
    }

    @Test
    void dilationAndAsymmetricPaddingIn1dByHand() {
        Tensor x = Tensor.of(Shape.of(1, 1, 5), 1, 2, 3, 4, 5);
        Tensor w = Tensor.of(Shape.of(1, 1, 2), 1, 1);
        // dilation 2: taps i and i+2 -> 1+3, 2+4, 3+5
        assertThat(run(new Conv(SlidingWindow.of(2).withDilations(2), 1), x, w)[0].toFloatArray())
                .containsExactly(4, 6, 8);
        // pads [2, 0] (two zeros before, none after), kernel [1, 10, 100]
        Tensor x3 = Tensor.of(Shape.of(1, 1, 3), 1, 2, 3);
        Tensor w3 = Tensor.of(Shape.of(1, 1, 3), 1, 10, 100);
        assertThat(run(new Conv(SlidingWindow.of(3).withPads(2, 0), 1), x3, w3)[0].toFloatArray())
                .containsExactly(100, 210, 321);
    }

    @Test
    void groupsKeepChannelsApartByHand() {
        // two channels, group 2, 1x1 kernels 2 and 10: each output channel scales only its own input
        Tensor x = Tensor.of(Shape.of(1, 2, 1, 2), 1, 2, 3, 4);
        Tensor w = Tensor.of(Shape.of(2, 1, 1, 1), 2, 10);
        assertThat(run(new Conv(SlidingWindow.of(1, 1), 2), x, w)[0].toFloatArray()).containsExactly(2, 4, 30, 40);
        // depthwise with channel multiplier 2: filters 0,1 read channel 0 and filters 2,3 channel 1
        Tensor w4 = Tensor.of(Shape.of(4, 1, 1, 1), 1, -1, 10, -10);
        assertThat(run(Conv.depthwise2d(1, 1, 0, 2), x, w4)[0].toFloatArray())
                .containsExactly(1, 2, -1, -2, 30, 40, -30, -40);
    }

    @Test
    void infersOutputShapesAndCountsMacs() {
        // ResNet's first layer: 7x7 stride 2 pad 3 on 224x224 -> 112x112
        Conv conv = Conv.of2d(7, 2, 3);
        List<ValueInfo> ins = floats(Shape.of(1, 3, 224, 224), Shape.of(64, 3, 7, 7));
        List<ValueInfo> outs = conv.inferOutputs(ins);
        assertThat(outs.get(0).shape()).isEqualTo(Shape.of(1, 64, 112, 112));
        assertThat(conv.macs(ins, outs)).isEqualTo(64L * 112 * 112 * 3 * 7 * 7);
        // depthwise: C_in/group = 1
        Conv dw = Conv.depthwise2d(3, 1, 1, 32);
        List<ValueInfo> dins = floats(Shape.of(2, 32, 56, 56), Shape.of(32, 1, 3, 3));
        assertThat(dw.macs(dins, dw.inferOutputs(dins))).isEqualTo(2L * 32 * 56 * 56 * 9);
        // dilation 2 on a 3x3 kernel covers 5x5: 9 - 5 + 1 = 5
        assertThat(Conv.of2d(3, 1, 0, 2, 1).inferOutputs(floats(Shape.of(1, 1, 9, 9), Shape.of(1, 1, 3, 3)))
                .get(0).shape()).isEqualTo(Shape.of(1, 1, 5, 5));
    }

    @Test
    void roundTripsThroughOnnxAttributes() {
        Conv conv = new Conv(SlidingWindow.of(3, 2).withStrides(2, 1).withPads(1, 0, 2, 1).withDilations(1, 2), 4);
        Attributes a = conv.attributes();
        assertThat(a.getLongs("kernel_shape", null)).containsExactly(3, 2);
        assertThat(a.getLong("group", 1)).isEqualTo(4);
        assertThat(Conv.fromOnnx(a)).isEqualTo(conv).hasSameHashCodeAs(conv);
        assertThat(conv.toString()).contains("Conv").contains("group=4").contains("pads=[1, 0, 2, 1]");
        Conv bare = Conv.fromOnnx(Attributes.empty()); // everything defaults, the kernel comes from W
        assertThat(bare).isEqualTo(new Conv(new SlidingWindow(null, null, null, null, null, false), 1));
        assertThat(bare.attributes().isEmpty()).isTrue();
        assertThat(Conv.of2d(3, 1, 1)).isNotEqualTo(Conv.of2d(3, 1, 0));
    }

    @Test
    void refusesUnknownAttributesAndBadSettings() {
        assertThatThrownBy(() -> Conv.fromOnnx(Attributes.builder().set("ceil_mode", 1L).build()))
                .hasMessageContaining("Conv does not support attribute(s) [ceil_mode]");
        assertThatThrownBy(() -> Conv.fromOnnx(Attributes.builder().set("group", 0L).build()))
                .hasMessageContaining("group must be >= 1");
        assertThatThrownBy(() -> Conv.fromOnnx(Attributes.builder().set("auto_pad", "SAME").build()))
                .hasMessageContaining("auto_pad must be one of");
        assertThatThrownBy(() -> Conv.fromOnnx(Attributes.builder().set("strides", new long[] {0, 1}).build()))
                .hasMessageContaining("strides must be positive");
    }

    @Test
    void explainsShapeMismatches() {
        Conv grouped = new Conv(SlidingWindow.of(3, 3), 2);
        assertThatThrownBy(() -> grouped.inferOutputs(floats(Shape.of(1, 4, 8, 8), Shape.of(6, 3, 3, 3))))
                .hasMessage("W has 3 input channels per group but X has 4 channels and group = 2 (expected 2)");
        assertThatThrownBy(() -> grouped.inferOutputs(floats(Shape.of(1, 5, 8, 8), Shape.of(6, 2, 3, 3))))
                .hasMessageContaining("X has 5 channels, which group = 2 does not divide");
        assertThatThrownBy(() -> grouped.inferOutputs(floats(Shape.of(1, 4, 8, 8), Shape.of(5, 2, 3, 3))))
                .hasMessageContaining("W has 5 filters (output channels), which group = 2 does not divide");
        Conv conv = Conv.of2d(3, 1, 0);
        assertThatThrownBy(() -> conv.inferOutputs(floats(Shape.of(1, 2, 8, 8), Shape.of(4, 2, 3, 3), Shape.of(3))))
                .hasMessageContaining("B must have shape [C_out] = [4], found [3]");
        assertThatThrownBy(() -> conv.inferOutputs(floats(Shape.of(1, 2, 8, 8), Shape.of(4, 2, 3, 2))))
                .hasMessageContaining("kernel_shape [3, 3] does not match the spatial dimensions of W [3, 2]");
        assertThatThrownBy(() -> conv.inferOutputs(floats(Shape.of(1, 2, 8), Shape.of(4, 2, 3))))
                .hasMessageContaining("kernel_shape has 2 value(s) per side but X [1, 2, 8] has 1 spatial axes");
        assertThatThrownBy(() -> conv.inferOutputs(floats(Shape.of(1, 2, 8, 8), Shape.of(4, 2, 3))))
                .hasMessageContaining("W must have the rank of X (4)");
        assertThatThrownBy(() -> conv.inferOutputs(floats(Shape.of(1, 2, 2, 8), Shape.of(4, 2, 3, 3))))
                .hasMessageContaining("input length 2 plus padding 0+0 is shorter than the kernel extent 3");
        assertThatThrownBy(() -> conv.inferOutputs(floats(Shape.of(1, 2, 2, 2, 2, 2), Shape.of(4, 2, 1, 1, 1, 1))))
                .hasMessageContaining("1 to 3 spatial axes");
        assertThatThrownBy(() -> conv.inferOutputs(floats(Shape.of(1, 2, 8, 8))))
                .hasMessageContaining("expected 2 to 3 inputs, got 1");
    }

    @Test
    void reusesItsGeometryAcrossRunsButFollowsShapeChanges() {
        Conv conv = Conv.of2d(3, 1, 1);
        Tensor w = Tensor.of(Shape.of(1, 1, 3, 3), 0, 0, 0, 0, 1, 0, 0, 0, 0); // identity kernel
        ExecutionContext ctx = ExecutionContext.standalone(1);
        for (int size : new int[] {3, 3, 5}) {
            float[] data = new float[size * size];
            for (int i = 0; i < data.length; i++) {
                data[i] = i;
            }
            Tensor x = Tensor.of(Shape.of(1, 1, size, size), data);
            Tensor y = Tensor.zeros(1, 1, size, size);
            conv.forward(new Tensor[] {x, w}, new Tensor[] {y}, ctx);
            assertThat(y.toFloatArray()).containsExactly(data);
        }
    }
}
