package dev.minnow.engine.op;

import static dev.minnow.engine.op.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conv's backward pass against finite differences (every geometry the forward supports), and
 * against PyTorch's autograd on fixed cases ({@code fixtures/ops/conv_backward.bin}, written by
 * {@code make_gradient_fixtures.py}).
 */
class ConvBackwardTest {
    private final Random r = new Random(31);

    static List<OpFixtures.Case> pytorchCases() {
        return OpFixtures.load("conv_backward.bin");
    }

    /** Each case: inputs X, W, B, dY; outputs Y, dX, dW, dB from torch.autograd.grad. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pytorchCases")
    void matchesPyTorchAutograd(OpFixtures.Case c) {
        Op op = OpRegistry.create("", c.opType(), c.attributes(), c.opset());
        Tensor[] in = {c.inputs().get(0), c.inputs().get(1), c.inputs().get(2)};
        Tensor[] grads = {Tensor.zeros(in[0].shape()), Tensor.zeros(in[1].shape()), Tensor.zeros(in[2].shape())};
        Tensor[] out = {Tensor.zeros(c.outputs().get(0).shape())};
        ExecutionContext ctx = ExecutionContext.standalone(2);
        op.forward(in, out, ctx);
        OpFixtures.assertMatches(out[0], c.outputs().get(0), c + " Y");
        op.backward(in, out, new Tensor[] {c.inputs().get(3)}, grads, ctx);
        String[] names = {"dX", "dW", "dB"};
        for (int i = 0; i < 3; i++) {
            OpFixtures.assertMatches(grads[i], c.outputs().get(1 + i), c + " " + names[i]);
        }
    }

    @Test
    void stridedPaddedDilatedGrouped2d() {
        // odd sizes, asymmetric pads, different strides and dilations per axis, 2 groups
        Conv conv = new Conv(SlidingWindow.of(3, 2).withStrides(2, 1).withPads(1, 0, 2, 1).withDilations(1, 2), 2);
        GradientCheck.of(conv).check(gaussian(r, 2, 4, 7, 6), gaussian(r, 6, 2, 3, 2), gaussian(r, 6));
    }

    @Test
    void depthwiseWithChannelMultiplier() {
        // group = C_in = 3, two filters per channel: the direct-loop forward, im2col backward
        Conv conv = new Conv(SlidingWindow.of(3, 3).withStrides(2, 2).withPads(1, 1, 1, 0), 3);
        GradientCheck.of(conv).check(gaussian(r, 2, 3, 7, 5), gaussian(r, 6, 1, 3, 3), gaussian(r, 6));
    }

    @Test
    void pointwiseWithoutBias() {
        Conv conv = new Conv(SlidingWindow.of(1, 1), 1);
        GradientCheck.of(conv).check(gaussian(r, 2, 5, 3, 4), gaussian(r, 3, 5, 1, 1));
    }

    @Test
    void stridedOneByOneIsNotPointwise() {
        Conv conv = new Conv(SlidingWindow.of(1, 1).withStrides(2, 2), 1);
        GradientCheck.of(conv).check(gaussian(r, 1, 3, 5, 5), gaussian(r, 2, 3, 1, 1), gaussian(r, 2));
    }

    @Test
    void oneDimensional() {
        Conv conv = new Conv(SlidingWindow.of(3).withStrides(2).withPads(2, 1).withDilations(2), 1);
        GradientCheck.of(conv).check(gaussian(r, 2, 3, 11), gaussian(r, 4, 3, 3), gaussian(r, 4));
    }

    @Test
    void threeDimensional() {
        Conv conv = new Conv(SlidingWindow.of(2, 3, 2).withStrides(1, 2, 1).withPads(1, 0, 1, 0, 1, 0), 2);
        GradientCheck.of(conv).check(gaussian(r, 1, 2, 3, 5, 4), gaussian(r, 4, 1, 2, 3, 2), gaussian(r, 4));
    }

    @Test
    void sameLowerAutoPad() {
        Conv conv = new Conv(SlidingWindow.of(4, 3).withStrides(2, 2).withAutoPad(SlidingWindow.AutoPad.SAME_LOWER), 1);
        GradientCheck.of(conv).check(gaussian(r, 1, 2, 7, 6), gaussian(r, 3, 2, 4, 3), gaussian(r, 3));
    }

    @Test
    void windowsThatSkipInputs() {
        // stride 3 > kernel 2: some inputs are read by no window and must get a zero gradient
        Conv conv = new Conv(SlidingWindow.of(2, 2).withStrides(3, 3), 1);
        Tensor x = gaussian(r, 1, 2, 8, 8);
        GradientCheck.of(conv).check(x, gaussian(r, 2, 2, 2, 2));
    }

    @Test
    void leavesGradientsOfAbsentOrUnwantedInputsAlone() {
        Conv conv = Conv.of2d(3, 1, 1);
        Tensor x = gaussian(r, 1, 2, 4, 4);
        Tensor w = gaussian(r, 3, 2, 3, 3);
        Tensor y = OpFixtures.run(conv, x, w)[0];
        ExecutionContext ctx = ExecutionContext.standalone(1);
        conv.forward(new Tensor[] {x, w}, new Tensor[] {y}, ctx);
        Tensor dw = Tensor.zeros(w.shape());
        // only W's gradient wanted, and no gradient for Y at all: nothing happens
        conv.backward(new Tensor[] {x, w}, new Tensor[] {y}, new Tensor[] {null}, new Tensor[] {null, dw}, ctx);
        assertThat(dw.toFloatArray()).containsOnly(0f);
        conv.backward(new Tensor[] {x, w}, new Tensor[] {y}, new Tensor[] {Tensor.zeros(y.shape())},
                new Tensor[] {null, dw}, ctx);
        assertThat(dw.toFloatArray()).containsOnly(0f);
        assertThat(conv.hasBackward()).isTrue();
    }
}
