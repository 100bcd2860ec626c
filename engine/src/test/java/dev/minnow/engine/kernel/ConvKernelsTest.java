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
                Gemm.sgemmNaive(false, false, og, oH * oW, rows, 1f, w, g * og * rows, rows,
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

    /** A random geometry: 1-D, 2-D or 3-D, odd sizes, strides, asymmetric pads, dilations, groups. */
    private record Geometry(int batch, int inChannels, int outChannels, int group, int[] in, int[] out, int[] kernel,
                            int[] strides, int[] padBegin, int[] dilations) {
        static Geometry random(Random r, int rank) {
            int[] in = {1, 1, 1};
            int[] out = {1, 1, 1};
            int[] kernel = {1, 1, 1};
            int[] strides = {1, 1, 1};
            int[] padBegin = {0, 0, 0};
            int[] dilations = {1, 1, 1};
            for (int a = 3 - rank; a < 3; a++) {
                kernel[a] = 1 + r.nextInt(3);
                strides[a] = 1 + r.nextInt(3);
                dilations[a] = 1 + r.nextInt(2);
                padBegin[a] = r.nextInt(3);
                int padEnd = r.nextInt(3);
                int extent = dilations[a] * (kernel[a] - 1) + 1;
                in[a] = Math.max(1, extent - padBegin[a] - padEnd) + r.nextInt(6);
                out[a] = (in[a] + padBegin[a] + padEnd - extent) / strides[a] + 1;
            }
            int group = 1 + r.nextInt(3);
            return new Geometry(1 + r.nextInt(2), group * (1 + r.nextInt(3)), group * (1 + r.nextInt(3)), group, in,
                    out, kernel, strides, padBegin, dilations);
        }

        int inPlane() {
            return in[0] * in[1] * in[2];
        }

        int outPlane() {
            return out[0] * out[1] * out[2];
        }

        int taps() {
            return kernel[0] * kernel[1] * kernel[2];
        }
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** The definition of the column matrix, element by element. */
    private static float column(float[] x, Geometry g, int c, int kd, int kh, int kw, int od, int oh, int ow) {
        int id = od * g.strides[0] - g.padBegin[0] + kd * g.dilations[0];
        int ih = oh * g.strides[1] - g.padBegin[1] + kh * g.dilations[1];
        int iw = ow * g.strides[2] - g.padBegin[2] + kw * g.dilations[2];
        if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2]) {
            return 0f;
        }
        return x[((c * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw];
    }

    /**
     * Output rows exactly 8 wide, which im2col and col2im write out by hand (LeNet-5's second
     * layer; then with padding, so that edge taps give shorter rows and the middle ones whole rows).
     */
    private static final Geometry[] EIGHT_WIDE = {
        new Geometry(1, 3, 2, 1, new int[] {1, 12, 12}, new int[] {1, 8, 8}, new int[] {1, 5, 5},
                new int[] {1, 1, 1}, new int[] {0, 0, 0}, new int[] {1, 1, 1}),
        new Geometry(1, 2, 2, 1, new int[] {1, 10, 8}, new int[] {1, 10, 8}, new int[] {1, 3, 3},
                new int[] {1, 1, 1}, new int[] {0, 1, 1}, new int[] {1, 1, 1}),
    };

    @Test
    void im2colWritesEveryElementOfTheColumnMatrixByItsDefinition() {
        Random r = new Random(7);
        for (int trial = 0; trial < 60; trial++) {
            Geometry g = trial < EIGHT_WIDE.length ? EIGHT_WIDE[trial] : Geometry.random(r, 1 + trial % 3);
            int channels = g.inChannels();
            float[] x = gaussian(r, channels * g.inPlane());
            int rows = channels * g.taps();
            float[] col = new float[rows * g.outPlane() + 4];
            java.util.Arrays.fill(col, Float.NaN);
            ConvKernels.im2col(x, 0, channels, g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations, col, 2);
            int at = 2;
            for (int c = 0; c < channels; c++) {
                for (int kd = 0; kd < g.kernel[0]; kd++) {
                    for (int kh = 0; kh < g.kernel[1]; kh++) {
                        for (int kw = 0; kw < g.kernel[2]; kw++) {
                            for (int od = 0; od < g.out[0]; od++) {
                                for (int oh = 0; oh < g.out[1]; oh++) {
                                    for (int ow = 0; ow < g.out[2]; ow++) {
                                        assertThat(col[at++]).as("trial %d %s", trial, g)
                                                .isEqualTo(column(x, g, c, kd, kh, kw, od, oh, ow));
                                    }
                                }
                            }
                        }
                    }
                }
            }
            assertThat(col[0]).isNaN();
            assertThat(col[col.length - 1]).isNaN();
        }
    }

    @Test
    void col2imIsTheAdjointOfIm2colAndAdds() {
        // <im2col(x), c> = <x, col2im(c)> for all x and c, the definition of the transpose
        Random r = new Random(8);
        for (int trial = 0; trial < 60; trial++) {
            Geometry g = trial < EIGHT_WIDE.length ? EIGHT_WIDE[trial] : Geometry.random(r, 1 + trial % 3);
            int channels = g.inChannels();
            float[] x = gaussian(r, channels * g.inPlane());
            float[] c = gaussian(r, channels * g.taps() * g.outPlane());
            float[] col = new float[c.length];
            ConvKernels.im2col(x, 0, channels, g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations, col, 0);
            float[] back = gaussian(r, x.length + 3);
            float[] before = back.clone();
            ConvKernels.col2im(c, 0, channels, g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations, back, 3);
            double left = 0;
            double right = 0;
            for (int i = 0; i < c.length; i++) {
                left += (double) col[i] * c[i];
            }
            for (int i = 0; i < x.length; i++) {
                right += (double) x[i] * (back[3 + i] - before[3 + i]);
            }
            assertThat(right).as("trial %d", trial).isCloseTo(left, offset(1e-3 * (1 + Math.abs(left))));
            assertThat(back[0]).isEqualTo(before[0]);
        }
    }

    @Test
    void im2colGemmConvolutionAgreesWithTheNaiveReference() {
        Random r = new Random(9);
        for (int trial = 0; trial < 60; trial++) {
            Geometry g = trial == 0
                    ? new Geometry(2, 4, 6, 2, new int[] {1, 5, 3}, new int[] {1, 5, 3}, new int[] {1, 1, 1},
                            new int[] {1, 1, 1}, new int[] {0, 0, 0}, new int[] {1, 1, 1}) // pointwise
                    : Geometry.random(r, 1 + trial % 3);
            float[] x = gaussian(r, g.batch() * g.inChannels() * g.inPlane() + 1);
            float[] w = gaussian(r, g.outChannels() * g.inChannels() / g.group() * g.taps());
            float[] b = trial % 2 == 0 ? gaussian(r, g.outChannels()) : null;
            int ySize = g.batch() * g.outChannels() * g.outPlane();
            float[] expected = new float[ySize];
            ConvKernels.convolutionNaive(x, 1, w, 0, b, 0, expected, 0, g.batch(), g.inChannels(), g.outChannels(),
                    g.group(), g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
            float[] y = new float[ySize];
            java.util.Arrays.fill(y, Float.NaN);
            // a small block budget in every other trial exercises several blocks and partial ones
            ConvGemm.Shape shape = new ConvGemm.Shape(g.batch(), g.inChannels(), g.outChannels(), g.group(),
                    g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations, trial % 2 == 0 ? 1 : 1 << 22);
            ConvGemm.forward(shape, x, 1, w, 0, b, 0, y, 0, new float[ConvGemm.workSize(shape)], 2);
            for (int i = 0; i < ySize; i++) {
                assertThat(y[i]).as("trial %d element %d", trial, i).isCloseTo(expected[i], offset(1e-4f));
            }
        }
    }

    @Test
    void backwardGivesTheSameGradientsWhateverTheBlockOfImages() {
        // block 1 = image by image (the layout checked by the op's gradient checks); the default
        // block stacks the whole batch; 2 images per block leaves a partial last block
        Random r = new Random(21);
        for (int trial = 0; trial < 30; trial++) {
            Geometry g = trial == 0
                    ? new Geometry(3, 4, 6, 2, new int[] {1, 5, 3}, new int[] {1, 5, 3}, new int[] {1, 1, 1},
                            new int[] {1, 1, 1}, new int[] {0, 0, 0}, new int[] {1, 1, 1}) // pointwise
                    : Geometry.random(r, 1 + trial % 3);
            float[] x = gaussian(r, g.batch() * g.inChannels() * g.inPlane());
            float[] w = gaussian(r, g.outChannels() * g.inChannels() / g.group() * g.taps());
            float[] dy = gaussian(r, g.batch() * g.outChannels() * g.outPlane());
            float[][] results = null;
            int perImage = Math.max(g.inChannels() / g.group() * g.taps(), g.outChannels() / g.group()) * g.outPlane();
            for (int budget : new int[] {1, 2 * perImage, 1 << 22}) {
                ConvGemm.Shape shape = new ConvGemm.Shape(g.batch(), g.inChannels(), g.outChannels(), g.group(),
                        g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations, budget);
                float[] dx = gaussian(new Random(trial), x.length);   // gradients accumulate onto what is there
                float[] dw = gaussian(new Random(trial + 100), w.length);
                float[] db = gaussian(new Random(trial + 200), g.outChannels());
                ConvGemm.backward(shape, x, 0, w, 0, dy, 0, dx, 0, dw, 0, db, 0,
                        new float[ConvGemm.workSize(shape)], 2);
                if (results == null) {
                    results = new float[][] {dx, dw, db};
                } else {
                    float[][] now = {dx, dw, db};
                    for (int t = 0; t < 3; t++) {
                        for (int i = 0; i < now[t].length; i++) {
                            assertThat(now[t][i]).as("trial %d budget %d tensor %d element %d", trial, budget, t, i)
                                    .isCloseTo(results[t][i], offset(2e-4f * (1 + Math.abs(results[t][i]))));
                        }
                    }
                }
            }
        }
    }

    @Test
    void packedInferenceAgreesWithTheNaiveReferenceForBothKernels() {
        Random r = new Random(33);
        for (SimdKernels impl : GemmTest.implementations()) {
            for (int trial = 0; trial < 40; trial++) {
                int[] one = {1, 1, 1};
                int[] none = {0, 0, 0};
                Geometry g = switch (trial) {
                    case 0 -> new Geometry(2, 4, 6, 2, new int[] {1, 5, 3}, new int[] {1, 5, 3}, one, one, none, one);
                    // pointwise with few filters (input read in place) and with many (copied), odd planes
                    case 1 -> new Geometry(1, 24, 20, 1, new int[] {1, 9, 13}, new int[] {1, 9, 13}, one, one, none,
                            one);
                    case 2 -> new Geometry(2, 9, 70, 1, new int[] {1, 7, 7}, new int[] {1, 7, 7}, one, one, none, one);
                    default -> Geometry.random(r, 1 + trial % 3);
                };
                float[] x = gaussian(r, g.batch() * g.inChannels() * g.inPlane() + 1);
                float[] w = gaussian(r, g.outChannels() * g.inChannels() / g.group() * g.taps());
                float[] b = trial % 2 == 0 ? gaussian(r, g.outChannels()) : null;
                int ySize = g.batch() * g.outChannels() * g.outPlane();
                float[] expected = new float[ySize];
                ConvKernels.convolutionNaive(x, 1, w, 0, b, 0, expected, 0, g.batch(), g.inChannels(),
                        g.outChannels(), g.group(), g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
                boolean relu = trial % 3 == 0;
                if (relu) {
                    for (int i = 0; i < ySize; i++) {
                        expected[i] = Math.max(0f, expected[i]);
                    }
                }
                ConvGemm.Shape shape = ConvGemm.Shape.of(g.batch(), g.inChannels(), g.outChannels(), g.group(),
                        g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
                float[] y = new float[ySize];
                java.util.Arrays.fill(y, Float.NaN);
                ConvGemm.forwardPacked(shape, ConvGemm.packWeights(impl, shape, w, 0), x, 1, b, 0, y, 0,
                        relu ? 0f : Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, new ConvGemm.Sources(), 2);
                for (int i = 0; i < ySize; i++) {
                    assertThat(y[i]).as("%s trial %d element %d", impl.name(), trial, i)
                            .isCloseTo(expected[i], offset(1e-4f));
                }
            }
        }
    }

    @Test
    void packedInferenceRunsImagesAndGroupsInParallelWithTheSameResult() {
        Random r = new Random(35);
        int[] one = {1, 1, 1};
        Geometry[] geometries = {
            // grouped 3x3, padded: (2 images x 4 groups) units
            new Geometry(2, 8, 8, 4, new int[] {1, 20, 20}, new int[] {1, 20, 20}, new int[] {1, 3, 3}, one,
                    new int[] {0, 1, 1}, one),
            // 1x1 with groups over 4 images: the matrix source
            new Geometry(4, 32, 32, 2, new int[] {1, 24, 24}, new int[] {1, 24, 24}, one, one, new int[] {0, 0, 0},
                    one),
            // strided and dilated, 9 units: uneven, but enough of them
            new Geometry(9, 6, 12, 1, new int[] {1, 31, 29}, new int[] {1, 14, 13}, new int[] {1, 3, 3},
                    new int[] {1, 2, 2}, new int[] {0, 1, 0}, new int[] {1, 2, 2}),
        };
        for (SimdKernels impl : GemmTest.implementations()) {
            for (Geometry g : geometries) {
                ConvGemm.Shape shape = ConvGemm.Shape.of(g.batch(), g.inChannels(), g.outChannels(), g.group(),
                        g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
                assertThat(ConvGemm.unitsInParallel(shape, 2)).as("%s parallel over units", g).isTrue();
                assertThat(ConvGemm.unitsInParallel(shape, 1)).isFalse();
                float[] x = gaussian(r, g.batch() * g.inChannels() * g.inPlane() + 3);
                float[] w = gaussian(r, g.outChannels() * g.inChannels() / g.group() * g.taps());
                float[] b = gaussian(r, g.outChannels() + 2);
                int ySize = g.batch() * g.outChannels() * g.outPlane();
                float[] expected = new float[ySize + 5];
                ConvKernels.convolutionNaive(x, 3, w, 0, b, 2, expected, 5, g.batch(), g.inChannels(),
                        g.outChannels(), g.group(), g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
                for (int i = 5; i < expected.length; i++) {
                    expected[i] = Math.min(6f, Math.max(0f, expected[i]));
                }
                PackedLeft[] packed = ConvGemm.packWeights(impl, shape, w, 0);
                for (int threads : new int[] {2, 1}) {
                    float[] y = new float[ySize + 5];
                    java.util.Arrays.fill(y, Float.NaN);
                    ConvGemm.forwardPacked(shape, packed, x, 3, b, 2, y, 5, 0f, 6f, new ConvGemm.Sources(), threads);
                    assertThat(y[4]).isNaN();
                    for (int i = 5; i < y.length; i++) {
                        assertThat(y[i]).as("%s %s, %d threads, element %d", impl.name(), g, threads, i - 5)
                                .isCloseTo(expected[i], offset(2e-4f));
                    }
                }
            }
        }
    }
}
