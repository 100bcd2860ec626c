package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ElementwiseKernelsTest {

    @Test
    void clampAndAddMatchTheirDefinitionsForBothKernels() {
        Random r = new Random(2);
        for (SimdKernels k : GemmTest.implementations()) {
            for (int n : new int[] {0, 1, 7, 8, 9, 33, 1000, 2500}) {   // 2500: the scalar kernels' chunks of 1024
                float[] x = GemmTest.random(r, n + 3);
                float[] b = GemmTest.random(r, n + 1);
                if (n > 2) {
                    x[3 + n / 2] = Float.NaN;
                }
                float[] y = new float[n + 2];
                k.clamp(x, 3, y, 2, n, -0.25f, 0.5f);
                float[] s = new float[n + 2];
                k.add(x, 3, b, 1, s, 2, n, true);
                for (int i = 0; i < n; i++) {
                    float v = x[3 + i];
                    float expected = Float.isNaN(v) ? Float.NaN : Math.min(Math.max(v, -0.25f), 0.5f);
                    assertThat(Float.floatToIntBits(y[2 + i])).as("%s clamp n=%d i=%d", k.name(), n, i)
                            .isEqualTo(Float.floatToIntBits(expected));
                    float sum = v + b[1 + i];
                    assertThat(Float.floatToIntBits(s[2 + i])).as("%s add n=%d i=%d", k.name(), n, i)
                            .isEqualTo(Float.floatToIntBits(Float.isNaN(sum) ? Float.NaN : Math.max(0f, sum)));
                }
            }
        }
    }

    @Test
    void clampGradientPassesExactlyWhereTheInputIsInside() {
        Random r = new Random(4);
        float[] special = {Float.NaN, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, -0.25f, 0.5f, Math.nextDown(-0.25f), Math.nextUp(0.5f)};
        float[][] ranges = {{-0.25f, 0.5f}, {Float.MIN_VALUE, Float.POSITIVE_INFINITY}, {0f, 6f}};
        for (SimdKernels k : GemmTest.implementations()) {
            for (int n : new int[] {0, 1, 7, 8, 9, 33, 1000, 2500}) {   // 2500: the scalar kernels' chunks of 1024
                float[] x = GemmTest.random(r, n + 3);
                for (int i = 0; i < Math.min(n, special.length); i++) {
                    x[3 + (i * 7) % n] = special[i];
                }
                float[] dy = GemmTest.random(r, n + 1);
                for (float[] range : ranges) {
                    float[] dx = GemmTest.random(new Random(n), n + 2);
                    float[] before = dx.clone();
                    k.clampGradient(x, 3, dy, 1, dx, 2, n, range[0], range[1]);
                    for (int i = 0; i < n; i++) {
                        float v = x[3 + i];
                        float expected = v >= range[0] && v <= range[1] ? before[2 + i] + dy[1 + i] : before[2 + i];
                        assertThat(dx[2 + i]).as("%s n=%d i=%d x=%s range %s..%s", k.name(), n, i, v, range[0],
                                range[1]).isEqualTo(expected);
                    }
                    assertThat(dx[0]).isEqualTo(before[0]);
                    assertThat(dx[1]).isEqualTo(before[1]);
                }
            }
        }
    }

    @Test
    void theParallelDriversCoverLongArraysExactlyOnce() {
        int n = 100_003;
        float[] x = GemmTest.random(new Random(3), n);
        float[] y = new float[n];
        ElementwiseKernels.clamp(x, 0, y, 0, n, 0f, Float.POSITIVE_INFINITY, 2);
        float[] s = new float[n];
        ElementwiseKernels.add(x, 0, y, 0, s, 0, n, false, 2);
        float[] g = new float[n];
        ElementwiseKernels.clampGradient(x, 0, s, 0, g, 0, n, Float.MIN_VALUE, Float.POSITIVE_INFINITY, 2);
        for (int i = 0; i < n; i++) {
            assertThat(y[i]).isEqualTo(Math.max(0f, x[i]));
            assertThat(s[i]).isEqualTo(x[i] + y[i]);
            assertThat(g[i]).isEqualTo(x[i] > 0f ? s[i] : 0f);
        }
    }
}
