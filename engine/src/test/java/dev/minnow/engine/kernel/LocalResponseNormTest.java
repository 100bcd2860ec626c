package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fast LRN kernels against the textbook loops (window walked per element, {@code Math.pow} in
 * double), on one and two threads, with offsets into larger arrays, odd and even windows, windows
 * wider than the channels, and exponents that take the square-root route and the general one.
 * The op-level tests check the same kernels against PyTorch fixtures and finite differences.
 */
class LocalResponseNormTest {

    @ParameterizedTest(name = "N={0} C={1} S={2} size={3} beta={4} threads={5}")
    @CsvSource({
            "1, 1, 1, 1, 0.75, 1",
            "2, 5, 7, 3, 0.75, 1",
            "3, 6, 11, 4, 0.5, 2",
            "2, 3, 9, 7, 1.0, 2",
            "2, 9, 13, 5, 0.6, 2",
            "4, 16, 1100, 5, 0.75, 2",      // over 16K elements: rows and images shared by two threads
            "3, 17, 1025, 2, 1.3, 2",
    })
    void matchesTheTextbookLoops(int batch, int channels, int spatial, int size, float beta, int threads) {
        Random r = new Random(batch * 31L + channels * 7L + spatial);
        float alpha = 0.9f;
        float bias = 1.5f;
        int n = batch * channels * spatial;
        int off = 3;
        float[] x = gaussian(r, off + n);
        float[] dy = gaussian(r, off + n);

        float[] y = new float[off + n + 2];
        LocalResponseNorm.forward(x, off, y, off, batch, channels, spatial, size, alpha, beta, bias, threads);
        float[] expected = forwardReference(x, off, batch, channels, spatial, size, alpha, beta, bias);
        for (int i = 0; i < n; i++) {
            assertThat(y[off + i]).as("y[%d]", i).isCloseTo(expected[i], within(2e-6f * (1 + Math.abs(expected[i]))));
        }
        assertThat(y[0]).isZero();
        assertThat(y[off + n]).isZero();

        float[] dx = new float[off + n];
        Arrays.fill(dx, 0.25f);                 // the kernel adds into dx
        LocalResponseNorm.backward(x, off, dy, off, dx, off, batch, channels, spatial, size, alpha, beta, bias,
                threads);
        double[] dxExpected = backwardReference(x, off, dy, batch, channels, spatial, size, alpha, beta, bias);
        for (int i = 0; i < n; i++) {
            double e = 0.25 + dxExpected[i];
            assertThat((double) dx[off + i]).as("dx[%d]", i).isCloseTo(e, within(1e-5 * (1 + Math.abs(e))));
        }
        assertThat(dx[0]).isEqualTo(0.25f);
    }

    @Test
    void alexNetSettingsOnALargeMapAgreeAcrossThreadCounts() {
        Random r = new Random(5);
        int batch = 2;
        int channels = 64;
        int spatial = 28 * 28;
        float[] x = gaussian(r, batch * channels * spatial);
        float[] one = new float[x.length];
        float[] two = new float[x.length];
        LocalResponseNorm.forward(x, 0, one, 0, batch, channels, spatial, 5, 1e-4f, 0.75f, 2f, 1);
        LocalResponseNorm.forward(x, 0, two, 0, batch, channels, spatial, 5, 1e-4f, 0.75f, 2f, 2);
        assertThat(two).containsExactly(one);
        assertThat(one[123]).isCloseTo((float) (x[123] / Math.pow(2 + 1e-4 / 5 * sumSquares(x, 123, spatial), 0.75)),
                within(1e-6f));
    }

    private static double sumSquares(float[] x, int at, int spatial) {
        // channel 0 of image 0: its window is channels 0..2
        double s = 0;
        for (int j = 0; j <= 2; j++) {
            s += (double) x[at + j * spatial] * x[at + j * spatial];
        }
        return s;
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    private static float[] forwardReference(float[] x, int off, int batch, int channels, int spatial, int size,
                                            float alpha, float beta, float bias) {
        int before = (size - 1) / 2;
        int after = size - 1 - before;
        float[] y = new float[batch * channels * spatial];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < spatial; i++) {
                    float sum = 0;
                    for (int j = Math.max(0, c - before); j <= Math.min(channels - 1, c + after); j++) {
                        float v = x[off + (n * channels + j) * spatial + i];
                        sum += v * v;
                    }
                    int at = (n * channels + c) * spatial + i;
                    y[at] = (float) (x[off + at] / Math.pow(bias + alpha / size * sum, beta));
                }
            }
        }
        return y;
    }

    /** dL/dx by the chain rule written out per element, in double. */
    private static double[] backwardReference(float[] x, int off, float[] dy, int batch, int channels, int spatial,
                                              int size, float alpha, float beta, float bias) {
        int before = (size - 1) / 2;
        int after = size - 1 - before;
        double[] dx = new double[batch * channels * spatial];
        for (int n = 0; n < batch; n++) {
            for (int i = 0; i < spatial; i++) {
                double[] s = new double[channels];
                for (int c = 0; c < channels; c++) {
                    double sum = 0;
                    for (int j = Math.max(0, c - before); j <= Math.min(channels - 1, c + after); j++) {
                        double v = x[off + (n * channels + j) * spatial + i];
                        sum += v * v;
                    }
                    s[c] = bias + (double) alpha / size * sum;
                }
                for (int k = 0; k < channels; k++) {
                    int atK = (n * channels + k) * spatial + i;
                    double g = dy[off + atK] * Math.pow(s[k], -beta);
                    for (int c = 0; c < channels; c++) {
                        boolean inWindow = k >= c - before && k <= c + after;
                        if (inWindow) {
                            int atC = (n * channels + c) * spatial + i;
                            g -= dy[off + atC] * x[off + atC] * beta * Math.pow(s[c], -beta - 1)
                                    * 2.0 * alpha / size * x[off + atK];
                        }
                    }
                    dx[atK] = g;
                }
            }
        }
        return dx;
    }
}
