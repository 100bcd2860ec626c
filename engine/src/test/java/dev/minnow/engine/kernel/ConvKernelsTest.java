package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ConvKernelsTest {

    /**
     * The same convolution written the other classic way, per image and group: unfold the input
     * into columns (im2col: one row per (channel, kh, kw), one column per output position, zeros
     * for padding), then multiply the weights [C_out/g, C_in/g*kH*kW] by the columns.
     */
    private static float[] im2colConvolution(float[] x, float[] w, float[] b, int batch, int cIn, int h, int wIn,
            int cOut, int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW, int group, int oH, int oW) {
        int cg = cIn / group;
        int og = cOut / group;
        int rows = cg * kH * kW;
        float[] y = new float[batch * cOut * oH * oW];
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < group; g++) {
                float[] cols = new float[rows * oH * oW];
                for (int c = 0; c < cg; c++) {
                    for (int i = 0; i < kH; i++) {
                        for (int j = 0; j < kW; j++) {
                            int row = (c * kH + i) * kW + j;
                            for (int oy = 0; oy < oH; oy++) {
                                for (int ox = 0; ox < oW; ox++) {
                                    int iy = oy * sH - pH + i * dH;
                                    int ix = ox * sW - pW + j * dW;
                                    boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < wIn;
                                    cols[row * oH * oW + oy * oW + ox] = inside
                                            ? x[((n * cIn + g * cg + c) * h + iy) * wIn + ix] : 0f;
                                }
                            }
                        }
                    }
                }
                int yOff = (n * cOut + g * og) * oH * oW;
                GemmKernels.gemmNaive(false, false, og, oH * oW, rows, 1f, w, g * og * rows, rows,
                        cols, 0, oH * oW, 0f, y, yOff, oH * oW);
                for (int o = 0; o < og; o++) {
                    for (int p = 0; p < oH * oW; p++) {
                        y[yOff + o * oH * oW + p] += b[g * og + o];
                    }
                }
            }
        }
        return y;
    }

    @Test
    void directLoopsAgreeWithIm2colAndGemm() {
        Random r = new Random(42);
        int batch = 2, cIn = 6, h = 9, wIn = 8, cOut = 4, kH = 3, kW = 2, sH = 2, sW = 1, pH = 2, pW = 1,
                dH = 2, dW = 3, group = 2;
        int oH = (h + 2 * pH - dH * (kH - 1) - 1) / sH + 1;
        int oW = (wIn + 2 * pW - dW * (kW - 1) - 1) / sW + 1;
        float[] x = new float[batch * cIn * h * wIn];
        float[] w = new float[cOut * (cIn / group) * kH * kW];
        float[] b = new float[cOut];
        for (float[] a : new float[][] {x, w, b}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextGaussian();
            }
        }
        float[] expected = im2colConvolution(x, w, b, batch, cIn, h, wIn, cOut, kH, kW, sH, sW, pH, pW, dH, dW,
                group, oH, oW);
        // the kernel reads and writes at offsets, and takes 2-D as D = 1
        float[] xs = new float[x.length + 5];
        System.arraycopy(x, 0, xs, 5, x.length);
        float[] y = new float[expected.length + 2];
        ConvKernels.convolutionNaive(xs, 5, w, 0, b, 0, y, 2, batch, cIn, cOut, group,
                new int[] {1, h, wIn}, new int[] {1, oH, oW}, new int[] {1, kH, kW}, new int[] {1, sH, sW},
                new int[] {0, pH, pW}, new int[] {1, dH, dW});
        for (int i = 0; i < expected.length; i++) {
            assertThat(y[2 + i]).as("element %d", i).isCloseTo(expected[i], offset(1e-4f));
        }
        assertThat(y[0]).isZero();
        assertThat(y[1]).isZero();
    }
}
