package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ElementwiseKernelsTest {

    @Test
    void clampAndAddMatchTheirDefinitionsForBothKernels() {
        Random r = new Random(2);
        for (SimdKernels k : GemmTest.implementations()) {
            for (int n : new int[] {0, 1, 7, 8, 9, 33, 1000}) {
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
    void theParallelDriversCoverLongArraysExactlyOnce() {
        int n = 100_003;
        float[] x = GemmTest.random(new Random(3), n);
        float[] y = new float[n];
        ElementwiseKernels.clamp(x, 0, y, 0, n, 0f, Float.POSITIVE_INFINITY, 2);
        float[] s = new float[n];
        ElementwiseKernels.add(x, 0, y, 0, s, 0, n, false, 2);
        for (int i = 0; i < n; i++) {
            assertThat(y[i]).isEqualTo(Math.max(0f, x[i]));
            assertThat(s[i]).isEqualTo(x[i] + y[i]);
        }
    }
}
