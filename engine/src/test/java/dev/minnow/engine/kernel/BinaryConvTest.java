package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The XNOR-popcount convolution against the float convolution of the sign tensors (the direct
 * loops of {@link ConvKernels#convolutionNaive}, zero padding): odd sizes, channel counts that do
 * not fill a 64-bit word, more than one word, strides, paddings wider than the kernel, dilation.
 */
class BinaryConvTest {

    @Test
    void theJavadocExampleIsZero() {
        // a = (+1, -1, -1, +1) as four channels of one pixel, b = (+1, +1, -1, -1) as a 1x1 filter
        float[] x = {1, -1, -1, 1};
        float[] w = {1, 1, -1, -1};
        long[] xb = new long[1];
        long[] wb = new long[1];
        BinaryConv.packActivations(x, 0, 4, 1, 1, xb, 0);
        BinaryConv.packWeights(w, 0, 1, 4, 1, 1, wb, 0);
        assertThat(xb[0]).isEqualTo(0b1001L);
        assertThat(wb[0]).isEqualTo(0b0011L);
        assertThat(Long.bitCount(xb[0] ^ wb[0])).isEqualTo(2);
        float[] y = new float[1];
        BinaryConv.forwardRows(shape(4, 1, 1, 1, 1, 1, 0, 1, 1), xb, 0, wb, 0, new float[] {1}, 0, 1f, null, 0,
                y, 0, 0, 1);
        assertThat(y[0]).isEqualTo(0f);
    }

    @Test
    void matchesTheFloatConvolutionOfTheSigns() {
        // channels, height, width, outChannels, kernel, stride, pad, dilation
        check(3, 7, 5, 4, 3, 1, 1, 1);
        check(1, 6, 6, 2, 3, 1, 0, 1);
        check(70, 9, 6, 5, 3, 2, 2, 1);     // two words per pixel, pad 2 with a 3x3 kernel
        check(130, 5, 7, 3, 2, 1, 1, 1);    // three words, an even kernel
        check(64, 8, 8, 3, 3, 1, 2, 2);     // exactly one word, dilation 2
        check(9, 11, 4, 6, 5, 3, 4, 1);     // pad wider than half the kernel, stride 3
        check(5, 4, 4, 7, 1, 1, 0, 1);      // pointwise
        check(33, 3, 3, 2, 3, 1, 3, 1);     // windows entirely in the padding: dot 0, output = bias
        check(20, 9, 7, 9, 3, 1, 2, 2);     // nine filters in two uneven ranges, dilation 2
        check(256, 6, 6, 6, 3, 1, 1, 1);    // the benchmark's channel count, a partial last block
        check(65, 10, 3, 2, 3, 2, 1, 1);    // stride 2 over an even extent: the last window ends before the edge
        check(128, 9, 9, 5, 2, 1, 1, 1);    // 8 words per window: one step of the adder tree, no padding words
        check(200, 17, 16, 4, 3, 1, 1, 1);  // 272 positions: several tiles of 64, and a partial one
        check(512, 5, 6, 3, 3, 1, 1, 1);    // 72 words per window: nine steps of the adder tree
        check(7, 13, 11, 3, 7, 2, 3, 1);    // 7x7 stride 2: 49 words padded to 56, one partial group
    }

    private static void check(int c, int h, int w, int oc, int k, int stride, int pad, int dil) {
        Random r = new Random(31L * c + h * 7L + w + oc * 13L + k);
        int ext = dil * (k - 1) + 1;
        int oh = (h + 2 * pad - ext) / stride + 1;
        int ow = (w + 2 * pad - ext) / stride + 1;
        float[] x = new float[c * h * w];
        float[] wt = new float[oc * c * k * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        x[0] = 0f;                           // sign(0) = +1
        for (int i = 0; i < wt.length; i++) {
            wt[i] = (float) r.nextGaussian();
        }
        float[] alpha = new float[oc];
        float[] bias = new float[oc];
        for (int o = 0; o < oc; o++) {
            alpha[o] = 0.1f + r.nextFloat();
            bias[o] = (float) r.nextGaussian();
        }
        float beta = 0.7f;

        // reference: float convolution of sign(x) and beta*alpha*sign(w), zero padding
        float[] xs = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            xs[i] = x[i] >= 0 ? 1f : -1f;
        }
        float[] ws = new float[wt.length];
        for (int i = 0; i < wt.length; i++) {
            ws[i] = wt[i] >= 0 ? 1f : -1f;
        }
        float[] dots = new float[oc * oh * ow];
        ConvKernels.convolutionNaive(xs, 0, ws, 0, null, 0, dots, 0, 1, c, oc, 1, new int[] {1, h, w},
                new int[] {1, oh, ow}, new int[] {1, k, k}, new int[] {1, stride, stride}, new int[] {0, pad, pad},
                new int[] {1, dil, dil});

        BinaryConv.Shape s = new BinaryConv.Shape(c, h, w, oc, k, k, stride, stride, pad, pad, dil, dil, oh, ow);
        long[] xb = new long[s.activationLongs() + 3];
        long[] wb = new long[s.weightLongs() + 2];
        BinaryConv.packActivations(x, 0, c, h, w, xb, 3);
        BinaryConv.packWeights(wt, 0, oc, c, k, k, wb, 2);
        float[] y = new float[oc * oh * ow + 5];
        BinaryConv.forwardRows(s, xb, 3, wb, 2, alpha, 0, beta, bias, 0, y, 5, 0, oh / 2);
        BinaryConv.forwardRows(s, xb, 3, wb, 2, alpha, 0, beta, bias, 0, y, 5, oh / 2, oh);
        float[] reference = new float[oc * oh * ow + 5];
        BinaryConv.forwardRowsOneFilter(s, xb, 3, wb, 2, alpha, 0, beta, bias, 0, reference, 5, 0, oh);
        // the padded path: windows gathered four at a time, the border corrected per rectangle
        long[] padded = new long[PaddedBinaryConv.paddedLongs(s)];
        java.util.Arrays.fill(padded, -1L);   // every word must be written, the border with zeros
        double absSum = PaddedBinaryConv.packActivations(x, 0, s, padded);
        double wantSum = 0;
        for (float v : x) {
            wantSum += Math.abs(v);
        }
        assertThat(absSum).isCloseTo(wantSum, offset(1e-9 * wantSum));
        int[] pop = new int[oc * k * k];
        PaddedBinaryConv.tapPopcounts(wb, 2, s, pop);
        long[] windows = new long[PaddedBinaryConv.windowLongs(s)];
        java.util.Arrays.fill(windows, -1L);  // every word must be written, the padding words with zeros
        PaddedBinaryConv.gatherWindows(s, padded, windows);
        long[] repeated = new long[PaddedBinaryConv.repeatedLongs(s)];
        PaddedBinaryConv.repeatWeights(wb, 2, s, repeated);
        PaddedBinaryConv.Border border = PaddedBinaryConv.Border.of(s);
        int[] corrections = new int[border.correctionInts()];
        border.corrections(pop, corrections);
        for (BinaryKernels kernels : BinaryKernelsTest.implementations()) {
            // two ranges of filters sharing the scratch counts, as two threads would; results bit-identical
            float[] fast = new float[oc * oh * ow + 5];
            int[] counts = new int[PaddedBinaryConv.countInts(s)];
            PaddedBinaryConv.forwardFilters(s, kernels, windows, repeated, border, corrections, alpha, 0, beta, bias,
                    0, fast, 5, counts, 0, oc / 2);
            PaddedBinaryConv.forwardFilters(s, kernels, windows, repeated, border, corrections, alpha, 0, beta, bias,
                    0, fast, 5, counts, oc / 2, oc);
            for (int o = 0; o < oc; o++) {
                for (int p = 0; p < oh * ow; p++) {
                    assertThat(fast[5 + o * oh * ow + p]).as("padded path (%s), oc %d position %d (C=%d k=%d s=%d p=%d d=%d)",
                            kernels.name(), o, p, c, k, stride, pad, dil).isEqualTo(reference[5 + o * oh * ow + p]);
                }
            }
        }
        for (int o = 0; o < oc; o++) {
            for (int p = 0; p < oh * ow; p++) {
                float expected = beta * alpha[o] * dots[o * oh * ow + p] + bias[o];
                String where = String.format("C=%d %dx%d k=%d s=%d p=%d d=%d: oc %d, position %d", c, h, w, k, stride,
                        pad, dil, o, p);
                assertThat(y[5 + o * oh * ow + p]).as(where).isCloseTo(expected, offset(1e-4f * (1 + Math.abs(expected))));
                assertThat(reference[5 + o * oh * ow + p]).as("one filter at a time, " + where)
                        .isEqualTo(y[5 + o * oh * ow + p]);
            }
        }
    }

    private static BinaryConv.Shape shape(int c, int h, int w, int oc, int k, int stride, int pad, int dil, int o) {
        return new BinaryConv.Shape(c, h, w, oc, k, k, stride, stride, pad, pad, dil, dil, o, o);
    }
}
