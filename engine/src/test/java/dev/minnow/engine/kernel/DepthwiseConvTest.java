package dev.minnow.engine.kernel;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DepthwiseConvTest {

    @Test
    void matchesTheNaiveConvolutionForEveryImplementation() {
        Random r = new Random(17);
        int[][] cases = {
            // batch, channels, multiplier, inH, inW, k, stride, padTop, padLeft, padBottom, padRight
            {1, 3, 1, 7, 9, 3, 1, 1, 1, 1, 1},
            {2, 4, 2, 8, 8, 3, 2, 1, 1, 1, 1},
            {1, 5, 1, 11, 13, 5, 1, 2, 2, 2, 2},
            {1, 2, 3, 12, 10, 5, 2, 2, 2, 2, 2},
            {1, 3, 1, 9, 40, 3, 2, 0, 1, 1, 0},
            {3, 2, 1, 1, 1, 3, 1, 1, 1, 1, 1},
            {1, 1, 1, 33, 70, 3, 1, 0, 0, 0, 0},
            {1, 2, 1, 6, 6, 3, 2, 0, 0, 1, 1},
            // rows of whole 16-output blocks, computed straight into the output; several planes per
            // thread, so later planes reuse the zero borders of the first
            {2, 3, 1, 10, 32, 3, 1, 1, 1, 1, 1},
            {1, 2, 2, 9, 16, 3, 1, 1, 1, 1, 1},
            {1, 4, 1, 7, 48, 5, 1, 2, 2, 2, 2},
            {1, 3, 1, 8, 32, 3, 1, 1, 0, 1, 2},
            {2, 8, 1, 20, 64, 3, 1, 1, 1, 1, 1},
            // stride 1, widths that are not whole 16-output blocks: each plane as one long row
            {2, 6, 1, 14, 14, 3, 1, 1, 1, 1, 1},
            {1, 9, 1, 7, 7, 3, 1, 1, 1, 1, 1},
            {1, 3, 2, 5, 12, 3, 1, 0, 2, 1, 0},
            {1, 4, 1, 28, 28, 5, 1, 2, 2, 2, 2},
            // stride 2 through the four phases: even and odd sizes and paddings, 1x1 and 5x5 filters,
            // several planes per thread (later planes rely on the zeros the first one wrote)
            {2, 5, 1, 112, 112, 3, 2, 1, 1, 1, 1},
            {1, 6, 1, 15, 17, 3, 2, 1, 1, 1, 1},
            {1, 4, 1, 14, 14, 5, 2, 2, 2, 2, 2},
            {1, 3, 2, 9, 11, 1, 2, 0, 0, 0, 0},
            {2, 3, 1, 10, 13, 3, 2, 2, 0, 1, 2},
            {1, 2, 1, 3, 3, 3, 2, 1, 1, 1, 1},
        };
        for (SimdKernels impl : GemmTest.implementations()) {
            for (int[] c : cases) {
                int batch = c[0], ch = c[1], m = c[2], inH = c[3], inW = c[4], k = c[5], s = c[6];
                int pt = c[7], pl = c[8], pb = c[9], pr = c[10];
                int outH = (inH + pt + pb - k) / s + 1;
                int outW = (inW + pl + pr - k) / s + 1;
                float[] x = GemmTest.random(r, 3 + batch * ch * inH * inW);
                float[] w = GemmTest.random(r, 1 + ch * m * k * k);
                float[] b = GemmTest.random(r, ch * m);
                float[] expected = new float[batch * ch * m * outH * outW];
                float[] actual = new float[expected.length + 5];
                ConvKernels.convolutionNaive(x, 3, w, 1, b, 0, expected, 0, batch, ch, ch * m, ch,
                        new int[] {1, inH, inW}, new int[] {1, outH, outW}, new int[] {1, k, k},
                        new int[] {1, s, s}, new int[] {0, pt, pl}, new int[] {1, 1, 1});
                DepthwiseConv.forward(impl, x, 3, w, 1, b, 0, actual, 5, batch, ch, m, inH, inW, outH, outW,
                        k, k, s, pt, pl, 2);
                for (int i = 0; i < expected.length; i++) {
                    if (Math.abs(actual[5 + i] - expected[i]) > 1e-5f * k * k) {
                        throw new AssertionError(impl.name() + " case " + java.util.Arrays.toString(c) + " element " + i
                                + ": got " + actual[5 + i] + ", expected " + expected[i]);
                    }
                }
            }
        }
    }

    @Test
    void aFusedReLU6ClampsEveryOutputLikeASeparatePass() {
        Random r = new Random(23);
        int[][] cases = {
            // batch, channels, inH, inW, stride: MobileNet's 3x3 blocks, pad 1
            {1, 4, 9, 11, 1},
            {2, 3, 12, 10, 2},
            {1, 2, 40, 37, 2},
            {2, 3, 10, 16, 1},
            {2, 5, 14, 14, 1},
        };
        for (SimdKernels impl : GemmTest.implementations()) {
            for (int[] c : cases) {
                int batch = c[0], ch = c[1], inH = c[2], inW = c[3], s = c[4];
                int outH = (inH + 2 - 3) / s + 1;
                int outW = (inW + 2 - 3) / s + 1;
                float[] x = GemmTest.random(r, batch * ch * inH * inW);
                for (int i = 0; i < x.length; i++) {
                    x[i] *= 8f;                      // outputs well beyond [0, 6] on both sides
                }
                float[] w = GemmTest.random(r, ch * 9);
                float[] b = GemmTest.random(r, ch);
                float[] expected = new float[batch * ch * outH * outW];
                ConvKernels.convolutionNaive(x, 0, w, 0, b, 0, expected, 0, batch, ch, ch, ch,
                        new int[] {1, inH, inW}, new int[] {1, outH, outW}, new int[] {1, 3, 3},
                        new int[] {1, s, s}, new int[] {0, 1, 1}, new int[] {1, 1, 1});
                float[] actual = new float[expected.length];
                DepthwiseConv.forward(impl, x, 0, w, 0, b, 0, actual, 0, batch, ch, 1, inH, inW, outH, outW,
                        3, 3, s, 1, 1, 0f, 6f, 2);
                boolean sawLow = false;
                boolean sawHigh = false;
                for (int i = 0; i < expected.length; i++) {
                    float want = Math.min(Math.max(expected[i], 0f), 6f);
                    sawLow |= expected[i] < 0f;
                    sawHigh |= expected[i] > 6f;
                    if (Math.abs(actual[i] - want) > 1e-4f) {
                        throw new AssertionError(impl.name() + " case " + java.util.Arrays.toString(c) + " element " + i
                                + ": got " + actual[i] + ", expected " + want);
                    }
                }
                if (!sawLow || !sawHigh) {
                    throw new AssertionError("case " + java.util.Arrays.toString(c) + " never reaches both bounds");
                }
            }
        }
    }

    @Test
    void backwardMatchesTheGemmBackwardForEveryImplementation() {
        Random r = new Random(19);
        int[][] cases = {
            // batch, channels, multiplier, inH, inW, k, stride, padTop, padLeft, padBottom, padRight
            {2, 3, 1, 7, 9, 3, 1, 1, 1, 1, 1},
            {2, 4, 2, 8, 8, 3, 2, 1, 1, 1, 1},
            {1, 2, 1, 11, 13, 5, 1, 2, 2, 2, 2},
            {3, 2, 3, 12, 10, 5, 2, 2, 2, 2, 2},
            {1, 3, 1, 9, 40, 3, 2, 0, 1, 1, 0},
            {2, 2, 1, 6, 6, 3, 2, 0, 0, 1, 1},
        };
        for (SimdKernels impl : GemmTest.implementations()) {
            for (int[] c : cases) {
                int batch = c[0], ch = c[1], m = c[2], inH = c[3], inW = c[4], k = c[5], s = c[6];
                int pt = c[7], pl = c[8], pb = c[9], pr = c[10];
                int outH = (inH + pt + pb - k) / s + 1;
                int outW = (inW + pl + pr - k) / s + 1;
                float[] x = GemmTest.random(r, batch * ch * inH * inW);
                float[] w = GemmTest.random(r, ch * m * k * k);
                float[] dy = GemmTest.random(r, batch * ch * m * outH * outW);
                ConvGemm.Shape shape = ConvGemm.Shape.of(batch, ch, ch * m, ch, new int[] {1, inH, inW},
                        new int[] {1, outH, outW}, new int[] {1, k, k}, new int[] {1, s, s}, new int[] {0, pt, pl},
                        new int[] {1, 1, 1});
                float[] dxE = GemmTest.random(new Random(1), x.length);
                float[] dwE = GemmTest.random(new Random(2), w.length);
                float[] dbE = GemmTest.random(new Random(3), ch * m);
                float[] dxA = dxE.clone();
                float[] dwA = dwE.clone();
                float[] dbA = dbE.clone();
                ConvGemm.backward(shape, x, 0, w, 0, dy, 0, dxE, 0, dwE, 0, dbE, 0,
                        new float[ConvGemm.workSize(shape)], 1);
                DepthwiseConv.backward(impl, x, 0, w, 0, dy, 0, dxA, 0, dwA, 0, dbA, 0, batch, ch, m, inH, inW,
                        outH, outW, k, k, s, pt, pl, 2);
                float[][] e = {dxE, dwE, dbE};
                float[][] a = {dxA, dwA, dbA};
                for (int t = 0; t < 3; t++) {
                    for (int i = 0; i < e[t].length; i++) {
                        if (Math.abs(a[t][i] - e[t][i]) > 1e-4f * (1 + Math.abs(e[t][i]))) {
                            throw new AssertionError(impl.name() + " case " + java.util.Arrays.toString(c) + " tensor " + t
                                    + " element " + i + ": got " + a[t][i] + ", expected " + e[t][i]);
                        }
                    }
                }
            }
        }
    }
}
