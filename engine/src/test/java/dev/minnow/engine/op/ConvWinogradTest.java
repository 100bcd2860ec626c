package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.kernel.ConvKernels;
import dev.minnow.engine.kernel.WinogradConv;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Inference plans run 3x3 stride-1 convolutions wide enough for it through {@link WinogradConv}
 * (the kernel itself is tested in {@code kernel.WinogradConvTest}); the results, with a fused
 * activation, equal the reference convolution's.
 */
class ConvWinogradTest {

    private static Tensor random(Random r, int... dims) {
        Tensor t = Tensor.zeros(dims);
        Init.uniform(t, 3, r);
        return t;
    }

    @Test
    void wideThreeByThreeLayersRunWinogradAndMatchTheReference() {
        Random r = new Random(11);
        int[][] cases = {    // in, out, H, W, pad, dilation
            {128, 120, 11, 13, 1, 1},    // small maps (under 100 tiles) take many channels
            {120, 128, 15, 14, 2, 2},
            {129, 128, 16, 16, 0, 1},
            {64, 64, 22, 21, 1, 1},      // 121 tiles: 64 channels are enough
        };
        for (int[] c : cases) {
            int cin = c[0], cout = c[1], h = c[2], w = c[3], pad = c[4], dil = c[5];
            int outH = h + 2 * pad - 2 * dil;
            int outW = w + 2 * pad - 2 * dil;
            int[] one = {1, 1, 1};
            assertThat(WinogradConv.chosen(cin, cout, new int[] {1, h, w}, new int[] {1, outH, outW},
                    new int[] {1, 3, 3}, one, new int[] {0, pad, pad}, new int[] {1, dil, dil}))
                    .as("Winograd chosen for %s", java.util.Arrays.toString(c)).isTrue();
            Tensor x = random(r, 2, cin, h, w);
            Tensor wt = random(r, cout, cin, 3, 3);
            Tensor b = random(r, cout);
            Conv conv = Conv.of2d(3, 1, pad, dil, 1).withActivation(Activation.clip(-0.2f, 0.3f));
            Graph g = Graph.builder("g").input("x", x.shape().dims()).initializer("w", wt).initializer("b", b)
                    .node("conv", conv, List.of("x", "w", "b"), List.of("y")).output("y").build();
            Tensor got = Plan.compile(g, x.shape()).runSingle(x);
            float[] expected = new float[2 * cout * outH * outW];
            ConvKernels.convolutionNaive(x.data(), x.offset(), wt.data(), wt.offset(), b.data(), b.offset(),
                    expected, 0, 2, cin, cout, 1, new int[] {1, h, w}, new int[] {1, outH, outW},
                    new int[] {1, 3, 3}, one, new int[] {0, pad, pad}, new int[] {1, dil, dil});
            assertThat(got.size()).isEqualTo(expected.length);
            for (int i = 0; i < expected.length; i++) {
                float want = Math.min(0.3f, Math.max(-0.2f, expected[i]));
                // float32 sums of 9 cin products: the error bound grows with their number
                assertThat(Math.abs(got.get(i) - want)).as("%s element %d", java.util.Arrays.toString(c), i)
                        .isLessThanOrEqualTo(1e-6f * 9 * cin);
            }
        }
    }

    @Test
    void narrowSmallOrStridedLayersKeepImplicitGemm() {
        int[] one = {1, 1, 1};
        int[] k3 = {1, 3, 3};
        int[] pad = {0, 1, 1};
        int[] map56 = {1, 56, 56};
        assertThat(WinogradConv.chosen(64, 64, map56, map56, k3, one, pad, one)).isTrue();
        assertThat(WinogradConv.chosen(16, 64, map56, map56, k3, one, pad, one)).as("16 input channels").isFalse();
        assertThat(WinogradConv.chosen(64, 16, map56, map56, k3, one, pad, one)).as("16 output channels").isFalse();
        int[] map7 = {1, 7, 7};
        assertThat(WinogradConv.chosen(512, 512, map7, map7, k3, one, pad, one)).as("7x7: 16 tiles").isFalse();
        int[] map13 = {1, 13, 13};
        int[] map14 = {1, 14, 14};
        assertThat(WinogradConv.chosen(48, 192, map13, map13, k3, one, pad, one)).as("13x13, 48 -> 192").isFalse();
        assertThat(WinogradConv.chosen(32, 128, map14, map14, k3, one, pad, one)).as("14x14, 32 -> 128").isFalse();
        assertThat(WinogradConv.chosen(64, 256, map13, map13, k3, one, pad, one)).as("13x13, 64 -> 256").isFalse();
        assertThat(WinogradConv.chosen(96, 208, map14, map14, k3, one, pad, one)).as("14x14, 96 -> 208").isTrue();
        int[] map27 = {1, 27, 27};
        assertThat(WinogradConv.chosen(32, 128, map27, map27, k3, one, pad, one)).as("27x27, 32 -> 128").isFalse();
        assertThat(WinogradConv.chosen(256, 256, map14, map14, k3, one, pad, one)).as("14x14, 256").isTrue();
        assertThat(WinogradConv.chosen(64, 64, map56, new int[] {1, 28, 28}, k3, new int[] {1, 2, 2}, pad, one))
                .as("stride 2").isFalse();
    }
}
