package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.kernel.ConvColumns;
import dev.minnow.engine.kernel.ConvKernels;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Stride-1 convolutions whose output rows are not whole vectors wide run over the padded image's
 * whole rows ({@link ConvColumns#setWide}) and copy the real columns out; the results, on one
 * thread and two, with groups, dilation and a fused activation, equal the reference convolution's.
 */
class ConvWideRowsTest {

    @Test
    void theWideLayoutIsChosenForStrideOneRowsThatAreNotWholeVectors() {
        int[] k3 = {1, 3, 3};
        int[] one = {1, 1, 1};
        int[] pad = {0, 1, 1};
        int[] map55 = {1, 55, 55};
        assertThat(ConvColumns.widens(map55, map55, k3, one, pad, one, 16)).isTrue();
        assertThat(ConvColumns.widens(map55, map55, k3, one, pad, one, 8)).isTrue();
        int[] map32 = {1, 32, 32};
        assertThat(ConvColumns.widens(map32, map32, k3, one, pad, one, 16)).as("rows of whole vectors").isFalse();
        assertThat(ConvColumns.widens(map55, map55, k3, one, pad, one, 1)).as("scalar kernels").isFalse();
        int[] map7 = {1, 7, 7};
        assertThat(ConvColumns.widens(map7, map7, k3, one, pad, one, 16)).as("2 extra columns on 7").isFalse();
        assertThat(ConvColumns.widens(map55, new int[] {1, 28, 28}, k3, new int[] {1, 2, 2}, pad, one, 16))
                .as("stride 2").isFalse();
    }

    @Test
    void wideRowsMatchTheReference() {
        Random r = new Random(5);
        int[][] cases = {    // batch, in, out, group, H, W, pad, dilation
            {1, 16, 48, 1, 27, 29, 1, 1},     // one image, 833 wide columns: several blocks per thread
            {2, 16, 24, 1, 19, 21, 1, 1},
            {2, 8, 12, 2, 23, 18, 2, 2},
            {2, 6, 10, 1, 20, 20, 0, 1},
        };
        for (int[] c : cases) {
            int n = c[0], cin = c[1], cout = c[2], group = c[3], h = c[4], w = c[5], pad = c[6], dil = c[7];
            int outH = h + 2 * pad - 2 * dil;
            int outW = w + 2 * pad - 2 * dil;
            int[] one = {1, 1, 1};
            int[] out = {1, outH, outW};
            assertThat(ConvColumns.widens(new int[] {1, h, w}, out, new int[] {1, 3, 3}, one,
                    new int[] {0, pad, pad}, new int[] {1, dil, dil}, 16)).as("wide for %s", List.of(c)).isTrue();
            Tensor x = Tensor.zeros(n, cin, h, w);
            Tensor wt = Tensor.zeros(cout, cin / group, 3, 3);
            Tensor b = Tensor.zeros(cout);
            Init.uniform(x, 1, r);
            Init.uniform(wt, 1, r);
            Init.uniform(b, 1, r);
            Conv conv = Conv.of2d(3, 1, pad, dil, group).withActivation(Activation.relu());
            Graph g = Graph.builder("g").input("x", x.shape().dims()).initializer("w", wt).initializer("b", b)
                    .node("conv", conv, List.of("x", "w", "b"), List.of("y")).output("y").build();
            float[] expected = new float[n * cout * outH * outW];
            ConvKernels.convolutionNaive(x.data(), x.offset(), wt.data(), wt.offset(), b.data(), b.offset(),
                    expected, 0, n, cin, cout, group, new int[] {1, h, w}, out, new int[] {1, 3, 3}, one,
                    new int[] {0, pad, pad}, new int[] {1, dil, dil});
            for (int threads = 1; threads <= 2; threads++) {
                Tensor got = Plan.compile(g, Map.of("x", x.shape()), PlanOptions.inference().withThreads(threads))
                        .runSingle(x);
                assertThat(got.size()).isEqualTo(expected.length);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(Math.abs(got.get(i) - Math.max(0f, expected[i])))
                            .as("%s, %d threads, element %d", List.of(c), threads, i).isLessThanOrEqualTo(1e-4f);
                }
            }
        }
    }
}
