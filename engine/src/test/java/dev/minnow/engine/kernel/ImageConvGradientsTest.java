package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageConvGradientsTest {

    /** batch, in, out, group, D, H, W, kD, kH, kW, stride, pad, dilation. */
    private static final int[][] CASES = {
        {6, 20, 50, 1, 1, 12, 12, 1, 5, 5, 1, 0, 1},      // LeNet-5's second layer
        {5, 1, 20, 1, 1, 28, 28, 1, 5, 5, 1, 0, 1},       // its first (one input channel)
        {3, 6, 8, 2, 1, 17, 15, 1, 3, 3, 2, 1, 1},        // groups, stride 2, padding
        {4, 4, 6, 1, 1, 14, 13, 1, 3, 3, 1, 2, 2},        // dilation, padding
        {3, 12, 10, 1, 1, 9, 8, 1, 1, 1, 1, 0, 1},        // 1x1 (the input is its own column matrix)
        {2, 3, 4, 1, 4, 6, 6, 2, 3, 3, 1, 1, 1},          // three spatial axes
        {7, 4, 4, 4, 1, 10, 10, 1, 3, 3, 1, 1, 1},        // one channel per group, more tasks than threads
    };

    @Test
    void addsTheSameGradientsAsTheWholeBatchPath() {
        Random r = new Random(5);
        for (SimdKernels impl : GemmTest.implementations()) {
            for (int[] c : CASES) {
                ConvGemm.Shape s = shape(c);
                float[] x = GemmTest.random(r, 3 + s.batch() * s.inChannels() * s.inPlane());
                float[] w = GemmTest.random(r, 2 + s.outChannels() * s.taps());
                float[] dy = GemmTest.random(r, 1 + s.batch() * s.outChannels() * s.outPlane());
                float[] start = GemmTest.random(r, x.length + w.length + s.outChannels());
                for (int threads : new int[] {1, 2, 3}) {
                    // both add onto what is there: start from the same non-zero gradients
                    float[][] expected = gradients(start, x.length, w.length, s.outChannels());
                    ConvGemm.backward(s, x, 3, w, 2, dy, 1, expected[0], 3, expected[1], 2, expected[2], 0,
                            new float[ConvGemm.workSize(s)], 1);
                    float[][] actual = gradients(start, x.length, w.length, s.outChannels());
                    ImageConvGradients.backward(impl, s, x, 3, w, 2, dy, 1, actual[0], 3, actual[1], 2, actual[2], 0,
                            threads);
                    String what = impl + " " + java.util.Arrays.toString(c) + " threads " + threads;
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < expected[i].length; j++) {
                            assertThat(actual[i][j]).as(what + " gradient " + i + " at " + j)
                                    .isCloseTo(expected[i][j], within(1e-4f * (1 + Math.abs(expected[i][j]))));
                        }
                    }
                    assertThat(actual[0][0]).as("before the offset").isEqualTo(start[0]);
                }
            }
        }
    }

    @Test
    void computesOnlyTheGradientsAskedFor() {
        Random r = new Random(9);
        ConvGemm.Shape s = shape(CASES[2]);
        float[] x = GemmTest.random(r, s.batch() * s.inChannels() * s.inPlane());
        float[] w = GemmTest.random(r, s.outChannels() * s.taps());
        float[] dy = GemmTest.random(r, s.batch() * s.outChannels() * s.outPlane());
        float[] dxAll = new float[x.length];
        float[] dwAll = new float[w.length];
        float[] dbAll = new float[s.outChannels()];
        SimdKernels impl = KernelProvider.kernels();
        ImageConvGradients.backward(impl, s, x, 0, w, 0, dy, 0, dxAll, 0, dwAll, 0, dbAll, 0, 2);
        float[] dx = new float[x.length];
        ImageConvGradients.backward(impl, s, x, 0, w, 0, dy, 0, dx, 0, null, 0, null, 0, 2);
        assertThat(dx).containsExactly(dxAll);
        float[] dw = new float[w.length];
        ImageConvGradients.backward(impl, s, x, 0, w, 0, dy, 0, null, 0, dw, 0, null, 0, 2);
        assertThat(dw).containsExactly(dwAll);
        float[] db = new float[s.outChannels()];
        ImageConvGradients.backward(impl, s, x, 0, w, 0, dy, 0, null, 0, null, 0, db, 0, 2);
        assertThat(db).containsExactly(dbAll);
        assertThat(dbAll).as("a bias gradient was computed").isNotEqualTo(new float[s.outChannels()]);
    }

    @Test
    void isChosenForWidePlanesAndEnoughImages() {
        assertThat(ImageConvGradients.chosen(shape(CASES[0]), 2)).isTrue();        // 8x8 planes, 6 images
        assertThat(ImageConvGradients.chosen(shape(CASES[0]), 8)).isFalse();       // fewer images than threads
        assertThat(ImageConvGradients.chosen(shape(CASES[4]), 1)).isTrue();        // 9x8
        int[] small = CASES[0].clone();
        small[5] = 10;
        small[6] = 10;                                                              // 6x6 planes
        assertThat(ImageConvGradients.chosen(shape(small), 1)).isFalse();
    }

    private static ConvGemm.Shape shape(int[] c) {
        int[] in = {c[4], c[5], c[6]};
        int[] kernel = {c[7], c[8], c[9]};
        int[] strides = new int[3];
        int[] pads = new int[3];
        int[] dilations = new int[3];
        int[] out = new int[3];
        for (int a = 0; a < 3; a++) {
            boolean flat = kernel[a] == 1 && in[a] == 1;
            strides[a] = flat ? 1 : c[10];
            pads[a] = kernel[a] == 1 ? 0 : c[11];
            dilations[a] = kernel[a] == 1 ? 1 : c[12];
            out[a] = (in[a] + 2 * pads[a] - dilations[a] * (kernel[a] - 1) - 1) / strides[a] + 1;
        }
        return ConvGemm.Shape.of(c[0], c[1], c[2], c[3], in, out, kernel, strides, pads, dilations);
    }

    /** Copies of the starting gradients {dx, dw, db}. */
    private static float[][] gradients(float[] start, int xLength, int wLength, int channels) {
        float[][] g = {new float[xLength], new float[wLength], new float[channels]};
        System.arraycopy(start, 0, g[0], 0, xLength);
        System.arraycopy(start, xLength, g[1], 0, wLength);
        System.arraycopy(start, xLength + wLength, g[2], 0, channels);
        return g;
    }
}
