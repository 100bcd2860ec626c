package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Winograd F(2x2, 3x3) against the reference convolution, on both kernel implementations. */
class WinogradConvTest {

    /**
     * Random geometries: odd and even sizes (so tiles with a missing second row or column), images
     * smaller than a tile, padding 0..2 on each side, dilations 1..3 on each axis independently,
     * groups, several images, a bias and a clamp; 1, 2 and 3 threads, which take both the
     * whole-block and the shared-block schedules.
     */
    @Test
    void matchesTheReferenceConvolution() {
        Random r = new Random(23);
        for (SimdKernels impl : GemmTest.implementations()) {
            int checked = 0;
            for (int trial = 0; trial < 60; trial++) {
                int group = 1 + r.nextInt(2);
                int cin = group * (1 + r.nextInt(trial % 3 == 0 ? 40 : 6));
                int cout = group * (1 + r.nextInt(trial % 4 == 0 ? 40 : 6));
                int batch = 1 + r.nextInt(3);
                int dh = 1 + r.nextInt(3);
                int dw = 1 + r.nextInt(3);
                int[] pad = {0, r.nextInt(3), r.nextInt(3)};
                int[] padEnd = {0, r.nextInt(3), r.nextInt(3)};
                int inH = 1 + r.nextInt(trial % 5 == 0 ? 40 : 12);
                int inW = 1 + r.nextInt(trial % 5 == 0 ? 40 : 12);
                int outH = inH + pad[1] + padEnd[1] - 2 * dh;
                int outW = inW + pad[2] + padEnd[2] - 2 * dw;
                if (outH < 1 || outW < 1) {
                    continue;
                }
                int[] in = {1, inH, inW};
                int[] out = {1, outH, outW};
                int[] kernel = {1, 3, 3};
                int[] strides = {1, 1, 1};
                int[] dil = {1, dh, dw};
                assertThat(WinogradConv.supports(in, kernel, strides, pad, dil)).isTrue();
                float[] x = GemmTest.random(r, 3 + batch * cin * inH * inW);
                float[] w = GemmTest.random(r, 2 + cout * cin / group * 9);
                float[] b = GemmTest.random(r, 1 + cout);
                float[] expected = new float[batch * cout * outH * outW];
                ConvKernels.convolutionNaive(x, 3, w, 2, b, 1, expected, 0, batch, cin, cout, group,
                        in, out, kernel, strides, pad, dil);
                boolean clamp = trial % 2 == 0;
                float lo = clamp ? -0.5f : Float.NEGATIVE_INFINITY;
                float hi = clamp ? 0.7f : Float.POSITIVE_INFINITY;
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = Math.min(hi, Math.max(lo, expected[i]));
                }
                WinogradConv.Prepared p = WinogradConv.prepare(impl, batch, cin, cout, group, inH, inW, outH, outW,
                        pad, dil, w, 2);
                for (int threads = 1; threads <= 3; threads++) {
                    float[] y = new float[expected.length + 4];
                    java.util.Arrays.fill(y, Float.NaN);
                    WinogradConv.forward(p, x, 3, b, 1, y, 2, lo, hi, threads);
                    String where = impl.name() + " trial " + trial + " batch " + batch + " " + cin + "->" + cout
                            + " group " + group + " " + inH + "x" + inW + " pad " + pad[1] + "," + pad[2] + "/"
                            + padEnd[1] + "," + padEnd[2] + " dilation " + dh + "," + dw + " threads " + threads;
                    float tol = 1e-5f * (cin / group * 9);
                    for (int i = 0; i < expected.length; i++) {
                        if (!(Math.abs(y[2 + i] - expected[i]) <= tol)) {
                            throw new AssertionError(where + " at " + i + ": " + y[2 + i] + " vs " + expected[i]);
                        }
                    }
                    assertThat(y[0]).as(where + ": writes before the output").isNaN();
                    assertThat(y[1]).isNaN();
                    assertThat(y[y.length - 2]).as(where + ": writes after the output").isNaN();
                    assertThat(y[y.length - 1]).isNaN();
                }
                checked++;
            }
            assertThat(checked).as("geometries checked").isGreaterThan(30);
        }
    }

    /** The vector transforms give the scalar ones' results exactly, full vectors and tails alike. */
    @Test
    void vectorTransformsMatchTheScalarOnes() {
        WinogradTransforms vector = KernelProvider.winogradVectorOrNull();
        assertThat(vector).as("tests run with --add-modules jdk.incubator.vector").isNotNull();
        Random r = new Random(5);
        for (int count : new int[] {1, 7, 8, 9, 29, 64, 117}) {
            int st = count + 3;
            int step = count + 5;
            float[] s = GemmTest.random(r, 8 * st);
            float[] expected = new float[2 + 16 * step];
            float[] got = new float[2 + 16 * step];
            WinogradTransforms.Scalar.INSTANCE.input(s, st, expected, 2, step, count);
            vector.input(s, st, got, 2, step, count);
            assertThat(got).as("input transform, %d columns", count).containsExactly(expected);
            float[] m = GemmTest.random(r, 1 + 16 * step);
            float[] outExpected = new float[4 * st];
            float[] outGot = new float[4 * st];
            WinogradTransforms.Scalar.INSTANCE.output(m, 1, step, count, outExpected, st);
            vector.output(m, 1, step, count, outGot, st);
            assertThat(outGot).as("output transform, %d columns", count).containsExactly(outExpected);
        }
    }

    /** Arrays too short, offsets outside them, invalid geometries: a clear exception, not a wrong answer. */
    @Test
    void badArgumentsAreRefusedWithTheirNumbers() {
        SimdKernels k = KernelProvider.scalar();
        int[] pad = {0, 1, 1};
        int[] one = {1, 1, 1};
        float[] w = new float[8 * 4 * 9];
        assertThatThrownBy(() -> WinogradConv.prepare(k, 1, 4, 8, 1, 6, 6, 6, 6, pad, one, new float[10], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not fit in an array of 10");
        assertThatThrownBy(() -> WinogradConv.prepare(k, 1, 4, 8, 3, 6, 6, 6, 6, pad, one, w, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in 3 groups");
        assertThatThrownBy(() -> WinogradConv.prepare(k, 1, 4, 8, 1, 6, 6, 0, 6, pad, one, w, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output 0x6");
        WinogradConv.Prepared p = WinogradConv.prepare(k, 1, 4, 8, 1, 6, 6, 6, 6, pad, one, w, 0);
        float[] x = new float[4 * 36];
        float[] y = new float[8 * 36];
        assertThatThrownBy(() -> WinogradConv.forward(p, x, 1, null, 0, y, 0, 0f, 1f, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input of 144 floats at 1");
        assertThatThrownBy(() -> WinogradConv.forward(p, x, 0, null, 0, new float[10], 0, 0f, 1f, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output of 288");
        assertThatThrownBy(() -> WinogradConv.forward(p, x, 0, new float[3], 0, y, 0, 0f, 1f, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias of 8");
    }

    @Test
    void acceptsOnlyTwoDimensionalThreeByThreeStrideOne() {
        int[] in = {1, 8, 8};
        int[] k3 = {1, 3, 3};
        int[] one = {1, 1, 1};
        int[] pad = {0, 1, 1};
        assertThat(WinogradConv.supports(in, k3, one, pad, one)).isTrue();
        assertThat(WinogradConv.supports(in, k3, new int[] {1, 2, 2}, pad, one)).as("stride 2").isFalse();
        assertThat(WinogradConv.supports(in, new int[] {1, 5, 5}, one, pad, one)).as("5x5").isFalse();
        assertThat(WinogradConv.supports(in, new int[] {1, 3, 1}, one, pad, one)).as("3x1").isFalse();
        assertThat(WinogradConv.supports(new int[] {4, 8, 8}, new int[] {3, 3, 3}, one, pad, one)).as("3-D").isFalse();
    }

    /** The tiles of one axis cover every output exactly once, phase by phase. */
    @Test
    void tilesCoverEveryOutputOnce() {
        for (int length = 1; length < 30; length++) {
            for (int dilation = 1; dilation <= 4; dilation++) {
                WinogradConv.Axis axis = WinogradConv.Axis.of(length, dilation, 1);
                assertThat(WinogradConv.Axis.tiles(length, dilation)).isEqualTo(axis.tiles());
                int[] seen = new int[length];
                for (int t = 0; t < axis.tiles(); t++) {
                    seen[axis.first()[t]]++;
                    if (axis.pair()[t]) {
                        seen[axis.first()[t] + dilation]++;
                    }
                }
                for (int o = 0; o < length; o++) {
                    assertThat(seen[o]).as("output %d of %d, dilation %d", o, length, dilation).isEqualTo(1);
                }
            }
        }
    }
}
