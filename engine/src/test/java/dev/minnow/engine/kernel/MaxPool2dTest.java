package dev.minnow.engine.kernel;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MaxPool2dTest {

    @Test
    void matchesTheNaivePoolOnRandomGeometriesWithNaNs() {
        Random r = new Random(12);
        for (int trial = 0; trial < 300; trial++) {
            int planes = 1 + r.nextInt(5);
            int inH = 1 + r.nextInt(13);
            int inW = 1 + r.nextInt(40);
            int kH = 1 + r.nextInt(3);
            int kW = 1 + r.nextInt(3);
            int sH = 1 + r.nextInt(3);
            int sW = 1 + r.nextInt(3);
            int pt = r.nextInt(kH);
            int pl = r.nextInt(kW);
            int pb = r.nextInt(kH);
            int pr = r.nextInt(kW);
            if (inH + pt + pb < kH || inW + pl + pr < kW) {
                continue;
            }
            int outH = (inH + pt + pb - kH) / sH + 1;
            int outW = (inW + pl + pr - kW) / sW + 1;
            float[] x = GemmTest.random(r, 1 + planes * inH * inW);
            if (trial % 4 == 0) {
                x[1 + r.nextInt(planes * inH * inW)] = Float.NaN;
            }
            float[] expected = new float[planes * outH * outW];
            PoolKernels.maxPoolNaive(x, 1, expected, 0, null, 0, false, planes, new int[] {1, inH, inW},
                    new int[] {1, outH, outW}, new int[] {1, kH, kW}, new int[] {1, sH, sW}, new int[] {0, pt, pl},
                    new int[] {1, 1, 1});
            float[] got = new float[expected.length + 2];
            MaxPool2d.forward(x, 1, got, 2, planes, inH, inW, outH, outW, kH, kW, sH, sW, pt, pl, 2);
            // the training path: same maxima, and its scatter equals the naive backward pass
            float[] y2 = new float[expected.length];
            int[] winners = new int[expected.length];
            PoolKernels.maxPool2dWithWinners(x, 1, y2, 0, winners, planes, inH, inW, outH, outW, kH, kW, sH, sW,
                    pt, pl, 2);
            float[] dy = GemmTest.random(r, expected.length);
            float[] dxNaive = new float[planes * inH * inW];
            float[] dxScatter = new float[planes * inH * inW];
            PoolKernels.maxPoolBackward(x, 1, dy, 0, dxNaive, 0, planes, new int[] {1, inH, inW},
                    new int[] {1, outH, outW}, new int[] {1, kH, kW}, new int[] {1, sH, sW}, new int[] {0, pt, pl},
                    new int[] {1, 1, 1});
            PoolKernels.maxPoolScatter(winners, expected.length, dy, 0, dxScatter, 0);
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToIntBits(y2[i]) != Float.floatToIntBits(expected[i])) {
                    throw new AssertionError("trial " + trial + " training max " + i + ": " + y2[i] + " vs " + expected[i]);
                }
            }
            for (int i = 0; i < dxNaive.length; i++) {
                if (dxNaive[i] != dxScatter[i]) {
                    throw new AssertionError("trial " + trial + " dx " + i + ": " + dxScatter[i] + " vs " + dxNaive[i]);
                }
            }
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToIntBits(got[2 + i]) != Float.floatToIntBits(expected[i])) {
                    throw new AssertionError("trial " + trial + " element " + i + ": " + got[2 + i] + " vs " + expected[i]);
                }
            }
        }
    }

    /**
     * The networks' pools, with enough planes for two threads and several planes per thread (later
     * planes rely on the padding the first one wrote): GoogLeNet's 3x3 stride-2 ceil-mode pools
     * (the last window hangs over the edge), SqueezeNet's, ResNet's padded one, and the 3x3
     * stride-1 pools of the inception branches on narrow planes.
     */
    @Test
    void theNetworksPoolsMatchTheNaivePool() {
        Random r = new Random(14);
        int[][] cases = {
            // planes, inH, inW, k, stride, pad, outH, outW
            {64, 112, 112, 3, 2, 0, 56, 56},
            {48, 27, 27, 3, 2, 0, 13, 13},
            {64, 111, 111, 3, 2, 0, 55, 55},
            {32, 112, 112, 3, 2, 1, 56, 56},
            {40, 14, 14, 3, 1, 1, 14, 14},
            {40, 7, 7, 3, 1, 1, 7, 7},
            {9, 28, 28, 3, 1, 1, 28, 28},
            {8, 14, 14, 2, 2, 0, 7, 7},
        };
        for (int[] c : cases) {
            int planes = c[0], inH = c[1], inW = c[2], k = c[3], s = c[4], pad = c[5], outH = c[6], outW = c[7];
            float[] x = GemmTest.random(r, planes * inH * inW);
            x[r.nextInt(x.length)] = Float.NaN;
            float[] expected = new float[planes * outH * outW];
            PoolKernels.maxPoolNaive(x, 0, expected, 0, null, 0, false, planes, new int[] {1, inH, inW},
                    new int[] {1, outH, outW}, new int[] {1, k, k}, new int[] {1, s, s}, new int[] {0, pad, pad},
                    new int[] {1, 1, 1});
            float[] got = new float[expected.length];
            MaxPool2d.forward(x, 0, got, 0, planes, inH, inW, outH, outW, k, k, s, s, pad, pad, 2);
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(expected[i])) {
                    throw new AssertionError(java.util.Arrays.toString(c) + " element " + i + ": " + got[i] + " vs "
                            + expected[i]);
                }
            }
        }
    }

    /** The 2x2 stride-2 fast path (ties, NaNs, odd sizes, enough planes to run on two threads). */
    @Test
    void twoByTwoStrideTwoTrainingPoolMatchesTheNaivePool() {
        Random r = new Random(13);
        for (int trial = 0; trial < 120; trial++) {
            // both kernels; rows narrower than a vector, whole vectors, and a last vector overlapping
            SimdKernels impl = GemmTest.implementations().get(trial % 2);
            int planes = 1 + r.nextInt(trial < 60 ? 4 : 100);
            int inH = 2 + r.nextInt(15);
            int inW = 2 + r.nextInt(trial % 4 < 2 ? 15 : 45);
            int outH = inH / 2;
            int outW = inW / 2;
            float[] x = new float[1 + planes * inH * inW];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(5) - 2;           // few distinct values: many ties, first one must win
                if (x[i] == 0f && r.nextBoolean()) {
                    x[i] = -0f;                        // -0 ties +0
                }
            }
            if (trial % 3 == 0) {
                x[1 + r.nextInt(planes * inH * inW)] = Float.NaN;
            }
            if (trial % 5 == 0) {                      // a negative NaN, then a positive one: the later wins
                int at = 1 + 2 * r.nextInt(planes * inH * inW / 2);
                x[at] = Float.intBitsToFloat(0xffc00001);
                x[at + 1] = Float.intBitsToFloat(0x7fc00002);
            }
            int[] in = {1, inH, inW};
            int[] out = {1, outH, outW};
            int[] k = {1, 2, 2};
            int[] s = {1, 2, 2};
            int[] pads = {0, 0, 0};
            int[] dil = {1, 1, 1};
            float[] expected = new float[planes * outH * outW];
            PoolKernels.maxPoolNaive(x, 1, expected, 0, null, 0, false, planes, in, out, k, s, pads, dil);
            float[] y = new float[expected.length + 1];
            int[] winners = new int[expected.length];
            PoolKernels.maxPool2dWithWinners(impl, x, 1, y, 1, winners, planes, inH, inW, outH, outW, 2, 2, 2, 2,
                    0, 0, 2);
            float[] dy = GemmTest.random(r, expected.length);
            float[] dxNaive = new float[planes * inH * inW];
            float[] dxScatter = new float[planes * inH * inW];
            PoolKernels.maxPoolBackward(x, 1, dy, 0, dxNaive, 0, planes, in, out, k, s, pads, dil);
            PoolKernels.maxPoolScatter(winners, expected.length, dy, 0, dxScatter, 0);
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToIntBits(y[1 + i]) != Float.floatToIntBits(expected[i])) {
                    throw new AssertionError(impl.name() + " trial " + trial + " max " + i + ": " + y[1 + i] + " vs "
                            + expected[i]);
                }
            }
            for (int i = 0; i < dxNaive.length; i++) {
                if (Float.floatToIntBits(dxNaive[i]) != Float.floatToIntBits(dxScatter[i])) {
                    throw new AssertionError("trial " + trial + " dx " + i + ": " + dxScatter[i] + " vs " + dxNaive[i]);
                }
            }
        }
    }
}
