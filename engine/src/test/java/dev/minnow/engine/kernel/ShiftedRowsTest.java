package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The row kernels behind depthwise convolution and max pooling, for both implementations. */
class ShiftedRowsTest {

    /**
     * Splitting a row into its even and odd floats is a copy: bit for bit, NaN payloads and
     * negative zeros included, for every length around the vector widths and every source parity,
     * writing nothing outside the two destination ranges.
     */
    @Test
    void splitPairsCopiesEvenAndOddFloatsBitForBit() {
        Random r = new Random(9);
        for (SimdKernels k : GemmTest.implementations()) {
            for (int pairs = 0; pairs <= 41; pairs++) {
                for (int src = 0; src < 3; src++) {
                    float[] x = new float[src + 2 * pairs + 5];
                    for (int i = 0; i < x.length; i++) {
                        int kind = r.nextInt(8);
                        x[i] = kind == 0 ? Float.intBitsToFloat(0x7fc00000 | r.nextInt(1 << 22))    // NaN payloads
                                : kind == 1 ? -0.0f : r.nextFloat() - 0.5f;
                    }
                    float[] dst = new float[2 * pairs + 20];
                    java.util.Arrays.fill(dst, 7f);
                    int even = 3;
                    int odd = even + pairs + 5;
                    k.splitPairs(x, src, dst, even, odd, pairs);
                    for (int i = 0; i < dst.length; i++) {
                        int expected = i >= even && i < even + pairs ? Float.floatToRawIntBits(x[src + 2 * (i - even)])
                                : i >= odd && i < odd + pairs ? Float.floatToRawIntBits(x[src + 2 * (i - odd) + 1])
                                : Float.floatToRawIntBits(7f);
                        assertThat(Float.floatToRawIntBits(dst[i]))
                                .as("%s pairs %d src %d at %d", k.name(), pairs, src, i).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void sumsAndMaximaOfShiftedRowsMatchTheirDefinition() {
        Random r = new Random(6);
        for (SimdKernels k : GemmTest.implementations()) {
            for (int trial = 0; trial < 50; trial++) {
                // every tenth trial longer than the scalar kernels' chunks of 1024
                int width = trial % 10 == 9 ? 1025 + r.nextInt(1600) : 1 + r.nextInt(70);
                int nt = 1 + r.nextInt(10);
                float[] in = GemmTest.random(r, 200 + width);
                if (trial % 5 == 0) {
                    in[r.nextInt(in.length)] = Float.NaN;
                }
                int[] taps = new int[nt];
                float[] w = GemmTest.random(r, nt + 2);
                for (int t = 0; t < nt; t++) {
                    taps[t] = r.nextInt(200);
                }
                float[] sum = new float[width + 3];
                float[] max = new float[width + 3];
                // a fused clamp on every other trial, tight enough to cut sums on both sides
                float lo = trial % 2 == 0 ? Float.NEGATIVE_INFINITY : 0.2f;
                float hi = trial % 2 == 0 ? Float.POSITIVE_INFINITY : 0.9f;
                k.shiftedRowSum(in, taps, w, 2, 0.5f, sum, 3, width, lo, hi);
                k.shiftedRowMax(in, taps, max, 3, width);
                for (int j = 0; j < width; j++) {
                    double s = 0.5;
                    float m = Float.NEGATIVE_INFINITY;
                    boolean nan = false;
                    for (int t = 0; t < nt; t++) {
                        float v = in[taps[t] + j];
                        s += w[2 + t] * v;
                        nan |= Float.isNaN(v);
                        m = Math.max(m, v);
                    }
                    if (nan) {
                        assertThat(Float.isNaN(max[3 + j])).as("%s max of a NaN window", k.name()).isTrue();
                        assertThat(Float.isNaN(sum[3 + j])).isTrue();
                    } else {
                        double clamped = Math.min(Math.max(s, lo), hi);
                        assertThat((double) sum[3 + j]).as("%s sum j=%d", k.name(), j).isCloseTo(clamped, within(1e-4));
                        assertThat(max[3 + j]).as("%s max j=%d", k.name(), j).isEqualTo(m);
                    }
                }
            }
        }
    }
    /**
     * The 3x3 case has its own loops (weights kept in registers) for the layouts of a padded plane
     * (three neighbours per row) and of its phases (even, odd, next even); they must give exactly
     * the sums of the general loop, as must any other nine taps. A tenth tap with weight 0 sends
     * the same sums through the general loop (for finite inputs {@code fma(x, 0, acc) == acc}), so
     * the two must agree bit for bit. The same for maxima (the 3x3 max has the same two loops).
     */
    @Test
    void nineTapsGiveTheGeneralLoopsSumsBitForBit() {
        Random r = new Random(9);
        for (SimdKernels k : GemmTest.implementations()) {
            for (int trial = 0; trial < 24; trial++) {
                int width = new int[] {1, 7, 8, 16, 17, 33, 128, 131}[trial % 8];
                float[] in = GemmTest.random(r, 300 + width);
                int[] nine = new int[9];
                int[] ten = new int[10];
                for (int kh = 0; kh < 3; kh++) {
                    int even = r.nextInt(100) + 100 * kh;
                    int odd = r.nextInt(100);
                    for (int kw = 0; kw < 3; kw++) {
                        nine[3 * kh + kw] = switch (trial / 8) {
                            case 0 -> even + kw;                                  // rows of a padded plane
                            case 1 -> kw == 1 ? odd : even + kw / 2;              // phases: even, odd, even + 1
                            default -> r.nextInt(300);                            // anything else
                        };
                    }
                }
                for (int t = 0; t < 9; t++) {
                    ten[t] = nine[t];
                }
                // a ReLU6 clamp on every other trial (the random sums fall on both sides of [0, 1])
                float lo = trial % 2 == 0 ? Float.NEGATIVE_INFINITY : 0f;
                float hi = trial % 2 == 0 ? Float.POSITIVE_INFINITY : 1f;
                ten[9] = r.nextInt(300);
                float[] w = new float[11];
                float[] wr = GemmTest.random(r, 9);
                System.arraycopy(wr, 0, w, 1, 9);         // w[1..9], and w[10] = 0 for the tenth tap
                float[] special = new float[width];
                float[] general = new float[width];
                k.shiftedRowSum(in, nine, w, 1, 0.25f, special, 0, width, lo, hi);
                k.shiftedRowSum(in, ten, w, 1, 0.25f, general, 0, width, lo, hi);
                for (int j = 0; j < width; j++) {
                    assertThat(Float.floatToIntBits(special[j])).as("%s width %d j=%d", k.name(), width, j)
                            .isEqualTo(Float.floatToIntBits(general[j]));
                }
                // maxima: the tenth tap repeats the first, so the general loop's maximum is the same
                ten[9] = nine[0];
                k.shiftedRowMax(in, nine, special, 0, width);
                k.shiftedRowMax(in, ten, general, 0, width);
                for (int j = 0; j < width; j++) {
                    assertThat(special[j]).as("%s max width %d j=%d", k.name(), width, j).isEqualTo(general[j]);
                }
            }
        }
    }
}
